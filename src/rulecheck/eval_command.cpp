// rulecheck eval POLICY [TICKETS] — decides every ticket of a JSON Lines stream.
//
// Streams in constant memory: input is read through a fixed buffer (line_reader) and
// output is written in blocks (buffered_output), flushed whenever the next read may wait,
// so a pipe used interactively gets each answer at once.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <string>

#include "cli.hpp"
#include "run_support.hpp"
#include "triage/policy.hpp"

namespace rulecheck {
namespace {

bool is_blank(std::string_view line) noexcept {
  return line.find_first_not_of(" \t\r\f\v") == std::string_view::npos;
}

void append_error_line(std::string& out, std::string_view id_json, std::uint64_t line,
                       std::string_view message) {
  out += "{\"id\": ";
  out += id_json;
  out += fmt::format(", \"line\": {}, \"error\": ", line);
  append_json_string(out, message);
  out += "}\n";
}

void append_trace(std::string& out, const triage::policy& pol,
                  const triage::evaluation_trace& trace) {
  const triage::model& m = pol.model();
  out += ", \"rules\": {";
  for (std::uint32_t i = 0; i < m.outputs.size(); ++i) {
    if (i != 0) out += ", ";
    append_json_string(out, m.outputs[i].name);
    out += ": [";
    bool first = true;
    for (const std::uint32_t rule : trace.matched(pol.output_at(i))) {
      if (!first) out += ", ";
      first = false;
      append_json_string(out, m.rules[rule].name);
    }
    out += ']';
  }
  out += '}';
}

int run_eval(const command& self, std::span<const std::string_view> args) {
  static constexpr std::array<option_spec, 3> specs = {{
      {"--id-field", true},
      {"--trace", false},
      {"--max-line-bytes", true},
  }};
  const parsed_args parsed = parse_args(args, specs);
  if (!parsed.error.empty()) return usage_error(self, parsed.error);
  if (parsed.help) {
    print_help(self);
    return exit_ok;
  }
  if (parsed.operands.empty()) return usage_error(self, "no policy file given");
  if (parsed.operands.size() > 2) return usage_error(self, "too many arguments");
  const std::string_view tickets_path = parsed.operands.size() == 2 ? parsed.operands[1] : "-";
  if (parsed.operands[0] == "-" && tickets_path == "-") {
    return usage_error(self, "the policy and the tickets cannot both come from standard input");
  }
  const std::string id_field(parsed.value("--id-field").value_or("id"));
  const bool tracing = parsed.has("--trace");
  // The library's defaults, as `stats` and `diff` use them, so that every command rejects
  // the same tickets; only the line length has a flag (see the CLI guide).
  triage::ticket_limits lim;
  if (const auto value = parsed.value("--max-line-bytes")) {
    const auto r = std::from_chars(value->data(), value->data() + value->size(), lim.max_line_bytes);
    if (r.ec != std::errc{} || r.ptr != value->data() + value->size() || lim.max_line_bytes == 0) {
      return usage_error(self, fmt::format("invalid --max-line-bytes '{}'; expected a positive "
                                           "number of bytes",
                                           *value));
    }
  }

  const std::shared_ptr<const triage::policy> pol = load_policy(parsed.operands[0]);
  if (!pol) return exit_failure;

  int fd = STDIN_FILENO;
  if (tickets_path != "-") {
    fd = ::open(std::string(tickets_path).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      print_error(fmt::format("cannot read '{}': {}", tickets_path, std::strerror(errno)));
      return exit_failure;
    }
  }
  struct fd_closer {
    int fd;
    ~fd_closer() {
      if (fd != STDIN_FILENO) ::close(fd);
    }
  } closer{fd};

  triage::ticket_decoder decoder{pol, id_field, lim};
  triage::ticket t{pol};
  triage::decision d{pol};
  triage::evaluation_trace trace;
  buffered_output out;
  line_reader reader{fd, lim.max_line_bytes, &out};

  std::uint64_t line_number = 0;
  bool rejected = false;
  std::string_view line;
  bool too_long = false;
  while (reader.next(line, too_long)) {
    ++line_number;
    // Editors on Windows often start a UTF-8 file with a byte-order mark; it is not JSON.
    if (line_number == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
    std::string& text = out.text();
    if (too_long) {
      rejected = true;
      append_error_line(text, "null", line_number, too_long_message(lim.max_line_bytes));
    } else if (is_blank(line)) {
      continue;
    } else if (!decoder.decode(line, t)) {
      rejected = true;
      append_error_line(text, decoder.id_json(), line_number, decoder.error());
    } else {
      if (tracing) {
        pol->evaluate(t, d, trace);
      } else {
        pol->evaluate(t, d);
      }
      text += "{\"id\": ";
      text += decoder.id_json();
      text += ", \"decision\": ";
      append_decision_json(text, *pol, d);
      if (tracing) append_trace(text, *pol, trace);
      text += "}\n";
    }
    out.maybe_flush();
  }
  out.flush();
  if (!reader.error().empty()) {
    print_error(fmt::format("cannot read '{}': {}", display_name(tickets_path), reader.error()));
    return exit_failure;
  }
  return rejected ? exit_problems : exit_ok;
}

}  // namespace

const command eval_command{
    .name = "eval",
    .summary = "decide tickets (JSON Lines) with a policy",
    .usage = "rulecheck eval POLICY [TICKETS] [--id-field NAME] [--trace] [--max-line-bytes N]",
    .help =
        "Reads tickets as JSON Lines, one JSON object a line, from TICKETS or, without it\n"
        "(or with '-'), from standard input, and writes one JSON line to stdout for every\n"
        "non-blank input line, in input order:\n"
        "  {\"id\": \"T-1001\", \"decision\": {\"priority\": \"P1\", \"urgent\": true, "
        "\"notify\": [\"on_call\"]}}\n"
        "  {\"id\": \"T-1002\", \"line\": 2, \"error\": \"missing required field "
        "'impact'\"}\n"
        "'decision' holds every output in declaration order (null when absent). A line that\n"
        "is not a valid ticket gets an 'error' line naming its input line, and the run goes\n"
        "on. Input is streamed: memory does not grow with the number of tickets.\n"
        "\n"
        "options:\n"
        "  --id-field NAME     echo this key as 'id' (default: id); null when absent\n"
        "  --trace             add \"rules\": {\"OUTPUT\": [\"LABEL or file:line\", ...]}, the\n"
        "                      rules that matched, per output\n"
        "  --max-line-bytes N  reject longer lines without storing them (default: 256 MiB)\n"
        "  -h, --help          show this help\n"
        "\n"
        "exit status: 0 every ticket decided, 1 some line was rejected, 2 bad usage, a file\n"
        "that cannot be read or a policy that does not compile (its diagnostics on stderr)\n",
    .run = run_eval,
};

}  // namespace rulecheck
