// Registry of CLI subcommands: one file per command under src/cli/, each
// registering itself with REGISTER_COMMAND at static-initialisation time.
//
// A command's setup function adds a CLI11 subcommand to the app and sets its
// callback. The callback reports failure by throwing CommandError (a one-line
// message and an exit code); main() prints "slicefs <cmd>: <message>" to
// stderr and exits with that code.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <stdexcept>
#include <string>

#include "common/status.h"

namespace slicefs::cli {

class CommandError : public std::runtime_error {
 public:
  explicit CommandError(const std::string& msg, int exitCode = 1)
      : std::runtime_error(msg), exitCode_(exitCode) {}
  int exitCode() const { return exitCode_; }

 private:
  int exitCode_;
};

// Throws CommandError with the status' message if it is not OK.
void Check(const Status& st, const std::string& what = "");
template <class T>
T Check(Result<T> r, const std::string& what = "") {
  if (!r) Check(r.error(), what);
  return std::move(*r);
}

using CommandSetup = std::function<void(CLI::App& app)>;

// Adds a command; order of registration is the order in --help.
bool RegisterCommand(const std::string& name, CommandSetup setup);
void SetupAllCommands(CLI::App& app);

}  // namespace slicefs::cli

#define REGISTER_COMMAND(name, fn) \
  static const bool SLICEFS_CONCAT(_slicefs_cmd_, __LINE__) = ::slicefs::cli::RegisterCommand(name, fn)
