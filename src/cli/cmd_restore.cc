// slicefs restore META-URL HOUR... [--put-back] [--threads N]: bring back
// what the trash holds for the given hours (".trash/YYYY-MM-DD-HH").
//
// First the trees are rebuilt inside each hour directory: an entry whose
// original parent is itself an entry of that hour (files and directories
// removed one by one by `rm -r`) moves back under it with its original
// name. With --put-back the remaining top-level entries then move back to
// their original directories; an entry stays in the hour directory, and is
// reported, when its parent is gone (or in the trash itself) or the name is
// taken there. Without --put-back nothing leaves the trash (JuiceFS's
// meaning: the tree is rebuilt so it can be inspected or copied out).
#include <atomic>
#include <charconv>
#include <cstdio>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "cli/command.h"
#include "cli/progress.h"
#include "vfs/volume.h"

namespace slicefs::cli {
namespace {

struct TrashEntry {
  std::string entry;  // name in the hour directory
  Ino parent = 0;
  Ino ino = 0;
  std::string name;  // original name
  FileType type = FileType::kFile;
};

// "{parent}-{ino}-{name}"; nullopt for other names.
std::optional<TrashEntry> ParseEntry(const DirEntry& d) {
  TrashEntry t;
  t.entry = d.name;
  t.type = d.type;
  std::string_view s = d.name;
  auto num = [&](Ino* out) {
    auto dash = s.find('-');
    if (dash == std::string_view::npos) return false;
    auto r = std::from_chars(s.data(), s.data() + dash, *out);
    if (r.ec != std::errc() || r.ptr != s.data() + dash) return false;
    s.remove_prefix(dash + 1);
    return true;
  };
  if (!num(&t.parent) || !num(&t.ino) || s.empty() || t.ino != d.ino) return std::nullopt;
  t.name = std::string(s);
  return t;
}

struct Outcome {
  std::atomic<uint64_t> rebuilt{0}, putBack{0};
  std::mutex mu;
  std::vector<std::string> left;  // "entry: reason", bounded
  uint64_t leftCount = 0;
  void Leave(const std::string& hour, const TrashEntry& e, const std::string& why) {
    std::lock_guard lk(mu);
    leftCount++;
    if (left.size() < 1000) left.push_back(".trash/" + hour + "/" + e.entry + ": " + why);
  }
};

void RestoreHour(Meta& meta, const std::string& hour, bool putBack, int threads, Outcome& out, Progress& progress) {
  const Ctx root = Ctx::Root();
  auto he = meta.Lookup(root, kTrashIno, hour);
  if (!he || !ParseTrashHour(hour)) throw CommandError("no trash hour " + hour + " (expected .trash/YYYY-MM-DD-HH)");
  const Ino hourIno = he->ino;
  std::vector<TrashEntry> entries;
  std::unordered_map<Ino, size_t> byIno;
  std::string after;
  for (;;) {
    auto batch = Check(meta.Readdir(root, hourIno, after, 1000, false), "listing .trash/" + hour);
    for (const auto& d : batch) {
      if (auto t = ParseEntry(d)) {
        byIno[t->ino] = entries.size();
        entries.push_back(std::move(*t));
      }
    }
    if (batch.size() < 1000) break;
    after = batch.back().name;
  }
  // Rebuild: children whose parent directory is in this hour go under it.
  std::vector<const TrashEntry*> tops;
  for (const auto& e : entries) {
    auto it = byIno.find(e.parent);
    if (it != byIno.end() && entries[it->second].type == FileType::kDir) {
      Status st = meta.Rename(root, hourIno, e.entry, e.parent, e.name, kRenameNoReplace);
      if (st.ok()) {
        out.rebuilt++;
        progress.Add();
        continue;
      }
      out.Leave(hour, e, "cannot move under its directory: " + st.message());
    }
    tops.push_back(&e);
  }
  if (!putBack) return;
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i; (i = next++) < tops.size();) {
      const TrashEntry& e = *tops[i];
      auto pa = meta.GetAttr(root, e.parent);
      if (!pa || pa->type != FileType::kDir || pa->nlink == 0) {
        out.Leave(hour, e, "original directory (inode " + std::to_string(e.parent) + ") is gone");
        continue;
      }
      if (IsTrashDir(pa->parent) || IsTrashDir(e.parent)) {
        out.Leave(hour, e, "original directory (inode " + std::to_string(e.parent) + ") is in the trash");
        continue;
      }
      Status st = meta.Rename(root, hourIno, e.entry, e.parent, e.name, kRenameNoReplace);
      if (st.ok()) {
        out.putBack++;
        progress.Add();
      } else if (st.is(EEXIST)) {
        out.Leave(hour, e, "name '" + e.name + "' is taken in its original directory");
      } else {
        out.Leave(hour, e, st.message());
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < std::max(1, threads); t++) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
}

void Run(const std::string& url, const std::vector<std::string>& hours, bool putBack, int threads) {
  if (threads < 1 || threads > 256) throw CommandError("--threads must be between 1 and 256");
  VolumeOptions vo;
  vo.openData = false;  // metadata only: restoring is renames
  auto vol = Check(Volume::Open(url, vo));
  Outcome out;
  Progress progress("restore", "entries");
  for (const auto& h : hours) RestoreHour(vol->meta(), h, putBack, threads, out, progress);
  progress.Done(FormatCount(out.rebuilt) + " rebuilt in the trash, " + FormatCount(out.putBack) +
                " put back, " + FormatCount(out.leftCount) + " left in the trash");
  for (const auto& l : out.left) std::printf("left %s\n", l.c_str());
  if (out.leftCount > out.left.size()) std::printf("(and %llu more)\n", (unsigned long long)(out.leftCount - out.left.size()));
}

void Setup(CLI::App& app) {
  auto url = std::make_shared<std::string>();
  auto hours = std::make_shared<std::vector<std::string>>();
  auto putBack = std::make_shared<bool>(false);
  auto threads = std::make_shared<int>(10);
  auto* c = app.add_subcommand("restore", "restore files from the trash (hours YYYY-MM-DD-HH)");
  c->add_option("META-URL", *url, "metadata engine, e.g. sqlite3://vol.db")->required();
  c->add_option("HOUR", *hours, "trash hour directories, e.g. 2026-12-01-14")->required();
  c->add_flag("--put-back", *putBack, "move the restored entries back into their original directories");
  c->add_option("--threads", *threads, "parallel put-backs")->capture_default_str();
  c->callback([=] { Run(*url, *hours, *putBack, *threads); });
}

}  // namespace

REGISTER_COMMAND("restore", Setup);

}  // namespace slicefs::cli
