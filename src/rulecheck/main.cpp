// rulecheck — the command-line tool: dispatches to one sub-command a file.
//
// Adding a sub-command: write NAME_command.cpp defining `const command NAME_command`,
// declare it in cli.hpp and list it in `commands` below.
#include <fmt/format.h>

#include <array>
#include <string_view>
#include <vector>

#include "cli.hpp"
#include "triage/version.hpp"

namespace rulecheck {
namespace {

// In the order `rulecheck --help` lists them.
constexpr std::array commands = {&check_command, &eval_command,  &test_command, &explain_command,
                                  &table_command, &stats_command, &diff_command};

const command* find_command(std::string_view name) {
  for (const command* cmd : commands) {
    if (cmd->name == name) return cmd;
  }
  return nullptr;
}

std::string general_usage() {
  std::string text =
      "usage: rulecheck COMMAND [ARGS...]\n"
      "       rulecheck help COMMAND | --help | --version\n"
      "\n"
      "Checks and runs triage ticket-routing policies (.rules files).\n"
      "\n"
      "commands:\n";
  for (const command* cmd : commands) text += fmt::format("  {:<10}{}\n", cmd->name, cmd->summary);
  text +=
      "\n"
      "Run 'rulecheck help COMMAND' for a command's arguments and options.\n"
      "Exit status: 0 success, 1 problems found (e.g. errors in a policy),\n"
      "2 the command could not do its work (bad usage, unreadable file).\n";
  return text;
}

int top_level_usage_error(std::string_view message) {
  print_error(message);
  write_stderr("\n");  // separate writes: GCC 12 warns falsely (-Wrestrict) on "\n" + string
  write_stderr(general_usage());
  return exit_failure;
}

int run(std::span<const std::string_view> args) {
  if (args.empty()) return top_level_usage_error("no command given");
  const std::string_view first = args[0];
  if (first == "--help" || first == "-h") {
    write_stdout(general_usage());
    return exit_ok;
  }
  if (first == "--version") {
    write_stdout(fmt::format("rulecheck {}\n", triage::version()));
    return exit_ok;
  }
  if (first == "help") {
    if (args.size() == 1) {
      write_stdout(general_usage());
      return exit_ok;
    }
    if (args.size() > 2) return top_level_usage_error("'help' takes one command name");
    const command* cmd = find_command(args[1]);
    if (cmd == nullptr) return top_level_usage_error(fmt::format("unknown command '{}'", args[1]));
    print_help(*cmd);
    return exit_ok;
  }
  if (first.starts_with('-'))
    return top_level_usage_error(fmt::format("unknown option '{}'", first));
  const command* cmd = find_command(first);
  if (cmd == nullptr) return top_level_usage_error(fmt::format("unknown command '{}'", first));
  return cmd->run(*cmd, args.subspan(1));
}

}  // namespace
}  // namespace rulecheck

int main(int argc, char** argv) {
  const std::vector<std::string_view> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  const int status = rulecheck::run(args);
  // Output that could not be written (a full disk, a closed pipe) is a failure too.
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) return rulecheck::exit_failure;
  return status;
}
