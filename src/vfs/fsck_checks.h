// The individual fsck checks (one file each: fsck_check_*.cc). Each reads
// the run's census, reports problems through FsckRun::Problem and, when
// run.opts.repair, fixes them in transactions that re-read what they change
// (so a value changed since the census is left alone).
#pragma once

#include "vfs/fsck.h"

namespace slicefs {

Status FsckCheckEntries(FsckRun& run);     // entries naming missing inodes
Status FsckCheckDirLinks(FsckRun& run);    // directory nlink = 2 + subdirectories
Status FsckCheckFileLinks(FsckRun& run);   // file nlink, parent field and parent records vs entries
Status FsckCheckOrphans(FsckRun& run);     // inodes no entry reaches (-> /lost+found)
Status FsckCheckSliceRefs(FsckRun& run);   // K counts vs chunk records
Status FsckCheckUsage(FsckRun& run);       // usedSpace / totalInodes vs a recount
Status FsckCheckDirStats(FsckRun& run);    // per-directory stats (U records) vs a recount
Status FsckCheckObjects(FsckRun& run);
Status FsckCheckAclRefs(FsckRun& run);     // RC counts of ACL rules vs inodes naming them; missing rules     // every referenced block exists with its size

}  // namespace slicefs
