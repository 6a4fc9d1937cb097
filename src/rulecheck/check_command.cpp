// rulecheck check FILE... — validates policies and reports their diagnostics.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include "cli.hpp"
#include "triage/analyze.hpp"
#include "triage/check.hpp"
#include "triage/limits.hpp"
#include "triage/policy.hpp"
#include "triage/render.hpp"

namespace rulecheck {
namespace {

enum class output_format { text, json, sarif };

struct checked_file {
  triage::source_file source;
  triage::diagnostics issues;
};

// read_file stops one byte past the limit, so the parser would report that size; this
// names the file's real size (unknown for standard input) in the parser's words.
triage::diagnostics too_large(std::string_view path, const triage::limits& lim) {
  std::error_code failed;
  const std::uintmax_t size =
      path == "-" ? 0 : std::filesystem::file_size(std::filesystem::path(path), failed);
  const std::string message =
      path != "-" && !failed
          ? fmt::format("policy is {} bytes, over the limit max_file_bytes = {}", size,
                        lim.max_file_bytes)
          : fmt::format("policy is more than {} bytes, over the limit max_file_bytes = {}",
                        lim.max_file_bytes, lim.max_file_bytes);
  return {triage::make_diagnostic(triage::diagnostic_code::limit_exceeded, {0, 0}, message)};
}

// Parses and checks; a policy without errors is then compiled and analysed (unsatisfiable,
// shadowed, duplicate and always-true rules, overlaps and gaps; include/triage/analyze.hpp).
triage::diagnostics check_and_analyze(const triage::source_file& source,
                                      const triage::limits& lim) {
  triage::check_result checked = triage::parse_and_check(source, lim);
  triage::diagnostics issues = std::move(checked.issues);
  if (!checked.value) return issues;
  // Compiled without compile's own proof of `unique` and `complete` outputs: the whole
  // analysis below finds those errors too, with the warnings, in one pass.
  triage::compile_result compiled =
      triage::compile_model_unproven(std::move(*checked.value), source, {}, lim);
  issues.insert(issues.end(), compiled.issues.begin(), compiled.issues.end());
  if (compiled.ok()) {
    const triage::diagnostics found = triage::analyze(compiled.value);
    issues.insert(issues.end(), found.begin(), found.end());
  }
  return issues;
}

int run_check(const command& self, std::span<const std::string_view> args) {
  static constexpr std::array<option_spec, 3> specs = {{
      {"--format", true},
      {"--werror", false},
      {"--color", true},
  }};
  const parsed_args parsed = parse_args(args, specs);
  if (!parsed.error.empty()) return usage_error(self, parsed.error);
  if (parsed.help) {
    print_help(self);
    return exit_ok;
  }
  if (parsed.operands.empty()) return usage_error(self, "no policy file given");

  output_format format = output_format::text;
  if (const auto value = parsed.value("--format")) {
    if (*value == "text") {
      format = output_format::text;
    } else if (*value == "json") {
      format = output_format::json;
    } else if (*value == "sarif") {
      format = output_format::sarif;
    } else {
      return usage_error(self,
                         fmt::format("unknown format '{}'; expected text, json or sarif", *value));
    }
  }
  color_mode colors = color_mode::automatic;
  if (const auto value = parsed.value("--color")) {
    const auto mode = parse_color_mode(*value);
    if (!mode) {
      return usage_error(self, fmt::format("unknown colour mode '{}'; expected auto, always or "
                                           "never",
                                           *value));
    }
    colors = *mode;
  }
  const bool werror = parsed.has("--werror");

  // Read every file first: an unreadable one means the command cannot do its work, and
  // machine-readable output is then never left half-written.
  const triage::limits lim;
  std::vector<checked_file> files;
  bool unreadable = false;
  for (const std::string_view path : parsed.operands) {
    std::string error;
    std::optional<std::string> text = read_file(path, lim.max_file_bytes, error);
    if (!text) {
      print_error(error);
      unreadable = true;
      continue;
    }
    files.push_back({triage::source_file(display_name(path), std::move(*text)), {}});
  }
  if (unreadable) return exit_failure;

  std::size_t errors = 0;
  std::size_t warnings = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    checked_file& file = files[i];
    file.issues = file.source.text().size() > lim.max_file_bytes
                      ? too_large(parsed.operands[i], lim)
                      : check_and_analyze(file.source, lim);
    for (triage::diagnostic& d : file.issues) {
      if (werror && d.level == triage::severity::warning) d.level = triage::severity::error;
      if (d.level == triage::severity::error) ++errors;
      if (d.level == triage::severity::warning) ++warnings;
    }
  }

  switch (format) {
    case output_format::text: {
      const triage::render_options options{.color = stderr_wants_color(colors)};
      for (const checked_file& file : files) {
        write_stderr(triage::render_text(file.source, file.issues, options));
      }
      break;
    }
    case output_format::json:
      for (const checked_file& file : files) {
        write_stdout(triage::render_json_lines(file.source, file.issues));
      }
      break;
    case output_format::sarif: {
      std::vector<triage::file_diagnostics> all;
      for (const checked_file& file : files) all.push_back({&file.source, &file.issues});
      write_stdout(triage::render_sarif(all));
      break;
    }
  }

  // Notes (such as analysis-budget) inform; only errors and warnings are counted.
  write_stderr(errors == 0 && warnings == 0 ? std::string("ok\n")
                                            : fmt::format("{}, {}\n", count_of(errors, "error"),
                                                          count_of(warnings, "warning")));
  return errors == 0 ? exit_ok : exit_problems;
}

}  // namespace

const command check_command{
    .name = "check",
    .summary = "validate policies and report their errors and warnings",
    .usage =
        "rulecheck check FILE... [--format text|json|sarif] [--werror] "
        "[--color auto|always|never]",
    .help =
        "Validates each policy FILE ('-' reads standard input): syntax, names, types, and\n"
        "the analysis of the language reference (section 5: rules that can never match or\n"
        "never decide, overlapping 'unique' rules, gaps in 'complete' outputs, ...).\n"
        "\n"
        "Diagnostics go to stderr as text, in the form compilers use:\n"
        "  routing.rules:12:11: error[unknown-name]: unknown field 'slaa'; did you mean 'sla'?\n"
        "The last line on stderr sums up all files: 'N errors, N warnings' ('1 error',\n"
        "'1 warning' when there is one), or 'ok' when there are neither.\n"
        "\n"
        "options:\n"
        "  --format text    diagnostics as text on stderr (the default)\n"
        "  --format json    one JSON object a diagnostic on stdout (JSON Lines)\n"
        "  --format sarif   one SARIF 2.1.0 document on stdout, for code-scanning tools\n"
        "  --werror         treat warnings as errors (their severity and the exit status)\n"
        "  --color WHEN     colour text diagnostics: auto (the default: only when stderr is\n"
        "                   a terminal and NO_COLOR is not set), always or never\n"
        "  -h, --help       show this help\n"
        "\n"
        "exit status: 0 no errors, 1 some policy has errors, 2 bad usage or a file that\n"
        "cannot be read\n",
    .run = run_check,
};

}  // namespace rulecheck
