// slicefs quota set|get|delete|list|check META-URL --path P: directory
// quotas (docs/cli.md, "quota"). Opens the volume's metadata directly; every
// mounted client picks a change up within one usage flush interval.
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/quota_paths.h"
#include "common/size.h"
#include "vfs/volume.h"

namespace slicefs::cli {
namespace {

struct QuotaArgs {
  std::string metaUrl;
  std::string path;
  std::string capacity;
  std::string inodes;
  bool repair = false;
  bool strict = false;
};

std::unique_ptr<Volume> OpenMeta(const std::string& metaUrl, bool readOnly) {
  VolumeOptions vo;
  vo.readOnly = readOnly;
  vo.openData = false;
  return Check(Volume::Open(metaUrl, vo));
}

std::string Percent(int64_t used, uint64_t limit) {
  if (limit == 0) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f%%", 100.0 * static_cast<double>(std::max<int64_t>(0, used)) /
                                             static_cast<double>(limit));
  return buf;
}

void PrintHeader() {
  std::printf("%-30s %12s %12s %6s %12s %12s %6s\n", "Path", "Size", "Used", "Use%", "Inodes", "IUsed", "IUse%");
}

void PrintRow(const std::string& path, const Quota& q) {
  std::printf("%-30s %12s %12s %6s %12s %12lld %6s\n", path.c_str(),
              q.maxSpace ? FormatSize(q.maxSpace).c_str() : "unlimited",
              FormatSize(static_cast<uint64_t>(std::max<int64_t>(0, q.usedSpace))).c_str(),
              Percent(q.usedSpace, q.maxSpace).c_str(),
              q.maxInodes ? std::to_string(q.maxInodes).c_str() : "unlimited",
              static_cast<long long>(q.usedInodes), Percent(q.usedInodes, q.maxInodes).c_str());
}

Ino MustPath(Meta& meta, const std::string& path) {
  if (path.empty()) throw CommandError("--path is required (a directory inside the volume, e.g. --path /projects)", 2);
  return Check(ResolveVolumePath(meta, path));
}

void RunSet(const QuotaArgs& a) {
  if (a.capacity.empty() && a.inodes.empty())
    throw CommandError("quota set needs --capacity SIZE and/or --inodes N (0 = no limit)", 2);
  std::optional<uint64_t> space, inodes;
  if (!a.capacity.empty()) space = Check(ParseSize(a.capacity, kGiB, "--capacity"));
  if (!a.inodes.empty()) inodes = Check(ParseSize(a.inodes, 1, "--inodes"));
  auto vol = OpenMeta(a.metaUrl, false);
  Meta& meta = vol->meta();
  const Ino dir = MustPath(meta, a.path);
  Check(meta.SetQuota(dir, space, inodes), "set quota of " + a.path);
  auto q = Check(meta.GetQuota(dir));
  PrintHeader();
  PrintRow(a.path, q.value_or(Quota{}));
}

void RunGet(const QuotaArgs& a) {
  auto vol = OpenMeta(a.metaUrl, true);
  Meta& meta = vol->meta();
  const Ino dir = MustPath(meta, a.path);
  auto q = Check(meta.GetQuota(dir));
  if (!q) throw CommandError("no quota on " + a.path + " (set one with: slicefs quota set META-URL --path " + a.path +
                             " --capacity SIZE)");
  PrintHeader();
  PrintRow(a.path, *q);
}

void RunDelete(const QuotaArgs& a) {
  auto vol = OpenMeta(a.metaUrl, false);
  Meta& meta = vol->meta();
  const Ino dir = MustPath(meta, a.path);
  Check(meta.DeleteQuota(dir), "delete quota of " + a.path);
  std::printf("deleted the quota of %s\n", a.path.c_str());
}

void RunList(const QuotaArgs& a) {
  auto vol = OpenMeta(a.metaUrl, true);
  Meta& meta = vol->meta();
  auto list = Check(meta.ListQuotas());
  PrintHeader();
  for (auto& [ino, q] : list) PrintRow(VolumePathOf(meta, ino), q);
}

void RunCheck(const QuotaArgs& a) {
  auto vol = OpenMeta(a.metaUrl, !a.repair);
  Meta& meta = vol->meta();
  std::vector<std::pair<Ino, std::string>> dirs;
  if (!a.path.empty()) {
    dirs.emplace_back(MustPath(meta, a.path), a.path);
  } else {
    for (auto& [ino, q] : Check(meta.ListQuotas())) dirs.emplace_back(ino, VolumePathOf(meta, ino));
  }
  int wrong = 0;
  for (auto& [dir, path] : dirs) {
    auto q = Check(meta.GetQuota(dir));
    if (!q) throw CommandError("no quota on " + path);
    DirStat u = Check(meta.TreeUsage(dir, a.strict, a.strict && a.repair), "usage of " + path);
    if (u.space == q->usedSpace && u.inodes == q->usedInodes) {
      std::printf("%s: ok (space %lld, inodes %lld)\n", path.c_str(), static_cast<long long>(u.space),
                  static_cast<long long>(u.inodes));
      continue;
    }
    std::printf("%s: usage recorded space %lld inodes %lld, counted space %lld inodes %lld%s\n", path.c_str(),
                static_cast<long long>(q->usedSpace), static_cast<long long>(q->usedInodes),
                static_cast<long long>(u.space), static_cast<long long>(u.inodes), a.repair ? ": repaired" : "");
    if (a.repair) {
      Check(meta.SetQuotaUsage(dir, u.space, u.inodes), "repair quota of " + path);
    } else {
      wrong++;
    }
  }
  if (wrong) throw CommandError(std::to_string(wrong) + " quota usage figure(s) wrong; run again with --repair");
}

void Setup(CLI::App& app) {
  auto* cmd = app.add_subcommand("quota", "Manage directory quotas (set, get, delete, list, check)");
  cmd->require_subcommand(1);
  auto add = [&](const char* name, const char* help, auto run, bool limits, bool check) {
    auto args = std::make_shared<QuotaArgs>();
    auto* sub = cmd->add_subcommand(name, help);
    sub->add_option("META-URL", args->metaUrl, "metadata engine, e.g. sqlite3://vol.db")->required();
    sub->add_option("--path", args->path, "directory inside the volume, e.g. /projects");
    if (limits) {
      sub->add_option("--capacity", args->capacity, "space limit, e.g. 100G; a plain number is GiB (0 = no limit)");
      sub->add_option("--inodes", args->inodes, "inode limit (0 = no limit)");
    }
    if (check) {
      sub->add_flag("--repair", args->repair, "write the counted usage into the quota");
      sub->add_flag("--strict", args->strict,
                    "recount each directory from its entries instead of its stats (reads every file's attributes;"
                    " with --repair, fixes the directory stats too)");
    }
    sub->callback([args, run] { run(*args); });
  };
  add("set", "Set or change the quota of a directory", RunSet, true, false);
  add("get", "Show the quota of a directory", RunGet, false, false);
  add("delete", "Remove the quota of a directory", RunDelete, false, false);
  add("list", "List every quota of the volume", RunList, false, false);
  add("check", "Recount quota usage from the tree (all quotas without --path)", RunCheck, false, true);
}

}  // namespace

REGISTER_COMMAND("quota", Setup);

}  // namespace slicefs::cli
