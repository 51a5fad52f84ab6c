// slicefs: one binary, one subcommand per file in this folder.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <map>

#include "cli/command.h"
#include "cli/secret_args.h"
#include "common/version.h"

namespace slicefs::cli {

namespace {
std::vector<std::pair<std::string, CommandSetup>>& Registry() {
  static std::vector<std::pair<std::string, CommandSetup>> r;
  return r;
}
}  // namespace

bool RegisterCommand(const std::string& name, CommandSetup setup) {
  Registry().emplace_back(name, std::move(setup));
  return true;
}

void SetupAllCommands(CLI::App& app) {
  auto cmds = Registry();
  std::sort(cmds.begin(), cmds.end(), [](auto& a, auto& b) { return a.first < b.first; });
  for (auto& [name, setup] : cmds) setup(app);
}

void Check(const Status& st, const std::string& what) {
  if (st.ok()) return;
  std::string msg = st.message().empty() ? st.ToString() : st.message();
  throw CommandError(what.empty() ? msg : what + ": " + msg);
}

}  // namespace slicefs::cli

int main(int argc, char** argv) {
  using namespace slicefs::cli;
  spdlog::set_level(spdlog::level::warn);
  spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ [%t] %v");
  CLI::App app{"slicefs: a POSIX filesystem on object storage with transactional metadata", "slicefs"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("slicefs ") + slicefs::kVersion);
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "log debug messages");
  app.parse_complete_callback([&] {
    if (verbose) spdlog::set_level(spdlog::level::debug);
  });
  SetupAllCommands(app);
  // CLI11 parses a copy (in reverse order); the originals, which ps shows,
  // lose their passwords first (cli/secret_args.h).
  std::vector<std::string> args;
  for (int i = argc - 1; i > 0; i--) args.emplace_back(argv[i]);
  ScrubSecretArgs(argc, argv);
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const CommandError& e) {
    std::string cmd = app.get_subcommands().empty() ? "" : " " + app.get_subcommands()[0]->get_name();
    std::fprintf(stderr, "slicefs%s: %s\n", cmd.c_str(), e.what());
    return e.exitCode();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "slicefs: unexpected error: %s\n", e.what());
    return 1;
  }
  return 0;
}
