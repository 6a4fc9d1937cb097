// rulecheck — what every sub-command shares: the command table entry, option parsing,
// reading files, colour detection and exit codes.
//
// A sub-command is one file, NAME_command.cpp, that defines a `command` and is listed in
// main.cpp's table. It parses its own arguments with `parse_args`, prints machine output
// on stdout and human text on stderr, and returns one of the exit codes below.
#ifndef TRIAGE_RULECHECK_CLI_HPP
#define TRIAGE_RULECHECK_CLI_HPP

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rulecheck {

/// The exit codes of every sub-command (the rulecheck contract's table).
enum exit_code : int {
  exit_ok = 0,        ///< the policy is valid, every ticket evaluated, every test passed
  exit_problems = 1,  ///< the work ran and found problems (policy errors, failed tests...)
  exit_failure = 2,   ///< bad usage, an unreadable file, a policy that does not compile
};

/// A sub-command, as main.cpp's dispatcher and `rulecheck help` see it.
struct command {
  std::string_view name;     ///< e.g. "check"
  std::string_view summary;  ///< one lowercase line for `rulecheck --help`
  std::string_view usage;    ///< the synopsis after "usage: ", e.g. "rulecheck check FILE..."
  std::string_view help;     ///< the rest of `rulecheck help NAME`: what it does, options
  /// Runs the command on the arguments after its name; returns an `exit_code`.
  int (*run)(const command& self, std::span<const std::string_view> args) = nullptr;
};

/// The sub-commands, each defined in its own NAME_command.cpp.
extern const command check_command;
extern const command eval_command;
extern const command test_command;
extern const command explain_command;
extern const command table_command;
extern const command stats_command;
extern const command diff_command;

/// An option a sub-command accepts, e.g. {"--format", true}.
struct option_spec {
  std::string_view name;     ///< with its dashes: "--format"
  bool takes_value = false;  ///< "--format json" and "--format=json" both work
};

/// The result of `parse_args`: operands in order, and options as given.
struct parsed_args {
  std::vector<std::string_view> operands;
  std::vector<std::pair<std::string_view, std::string_view>> options;  ///< name, value
  bool help = false;                                                   ///< -h or --help was given
  std::string error;  ///< non-empty when the arguments are not valid; then nothing else is set

  /// Returns the value of the last occurrence of an option, if it was given.
  [[nodiscard]] std::optional<std::string_view> value(std::string_view name) const;
  /// Returns true if a flag (or any option) was given.
  [[nodiscard]] bool has(std::string_view name) const { return value(name).has_value(); }
};

/// Splits arguments into options (in `specs`, plus -h/--help) and operands. Options may
/// come anywhere; "--" ends them; "-" alone is an operand (standard input).
[[nodiscard]] parsed_args parse_args(std::span<const std::string_view> args,
                                     std::span<const option_spec> specs);

/// Prints "rulecheck: error: MESSAGE" on stderr.
void print_error(std::string_view message);
/// Prints an error, the command's usage and where to find help on stderr; returns
/// `exit_failure`.
[[nodiscard]] int usage_error(const command& cmd, std::string_view message);
/// Prints a command's whole help on stdout.
void print_help(const command& cmd);

/// Writes text to a standard stream as is.
void write_stdout(std::string_view text);
void write_stderr(std::string_view text);

/// Reads a whole file, or standard input for "-". Reads at most `max_bytes + 1` bytes, so
/// a larger file is still reported by the limit check rather than filling memory. On
/// failure returns nothing and sets `error` to a message naming the file and the reason.
[[nodiscard]] std::optional<std::string> read_file(std::string_view path, std::size_t max_bytes,
                                                   std::string& error);
/// Returns the name diagnostics use for a path: "<stdin>" for "-", else the path.
[[nodiscard]] std::string display_name(std::string_view path);

/// When to colour text output.
enum class color_mode { automatic, always, never };
/// Parses "auto", "always" or "never".
[[nodiscard]] std::optional<color_mode> parse_color_mode(std::string_view text);
/// Decides colour for stderr: `automatic` means stderr is a terminal, NO_COLOR is not set
/// (to any value, even empty) and TERM is not "dumb".
[[nodiscard]] bool stderr_wants_color(color_mode mode);

/// Returns "1 error" / "2 errors" style counts.
[[nodiscard]] std::string count_of(std::size_t n, std::string_view singular);

}  // namespace rulecheck

#endif  // TRIAGE_RULECHECK_CLI_HPP
