// rulecheck eval, run as users run it: JSON Lines in, one JSON line out per ticket.
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "cli_run.hpp"

namespace {

using cli_test::lines_of;
using cli_test::rulecheck;
using cli_test::scratch_file;

// Every output type: a flag, a first enum with a default, a collect enum, a string
// without a default and an int sum. Line 17 has no label: traces name it `file:line`.
constexpr std::string_view policy_text =
    "field issue: string required\n"
    "field urgency: enum { low, medium, high } required\n"
    "field sla: duration\n"
    "field score: number\n"
    "field vip: bool\n"
    "field tags: tags\n"
    "field reopened: int\n"
    "\n"
    "output urgent: flag\n"
    "output priority: enum { P1, P2, P3 } first default P3\n"
    "output notify: enum { manager, on_call } collect\n"
    "output queue: string first\n"
    "output risk: int sum\n"
    "\n"
    "hot: urgent if sla < 2h\n"
    "p1: priority if urgency == high and urgent -> P1\n"
    "priority if urgency >= medium -> P2\n"
    "page: notify if priority == P1 -> on_call\n"
    "page_manager: notify if vip -> manager\n"
    "vpn_queue: queue if tags has \"vpn\" -> \"net-ops\"\n"
    "security_queue: queue if issue starts_with \"[sec]\" -> \"security\"\n"
    "reopened_risk: risk if reopened > 1 -> 10\n"
    "score_risk: risk if score >= 7.5 -> 5\n";

const std::string& policy() {
  static const std::string path = scratch_file("eval.rules", policy_text);
  return path;
}

// Three valid tickets and the decisions the language reference gives them.
constexpr std::string_view vpn_ticket =
    R"({"id": "T-1", "issue": "VPN down", "urgency": "high", "sla": "90m", "tags": ["vpn"], "vip": true})";
constexpr std::string_view vpn_decision =
    R"({"id": "T-1", "decision": {"urgent": true, "priority": "P1", "notify": ["on_call", "manager"], "queue": "net-ops", "risk": 0}})";
constexpr std::string_view security_ticket =
    R"({"id": "T-2", "issue": "[SEC] phishing", "urgency": "low", "reopened": 2, "score": 7.5})";
constexpr std::string_view security_decision =
    R"({"id": "T-2", "decision": {"urgent": false, "priority": "P3", "notify": [], "queue": "security", "risk": 15}})";
constexpr std::string_view printer_ticket = R"({"id": 3, "issue": "printer", "urgency": "medium"})";
constexpr std::string_view printer_decision =
    R"({"id": 3, "decision": {"urgent": false, "priority": "P2", "notify": [], "queue": null, "risk": 0}})";

std::string joined(std::initializer_list<std::string_view> lines) {
  std::string text;
  for (const std::string_view line : lines) {
    text += line;
    text += '\n';
  }
  return text;
}

}  // namespace

TEST_CASE("eval writes one decision line per ticket, every output in declaration order") {
  const std::string tickets =
      scratch_file("three.jsonl", joined({vpn_ticket, security_ticket, printer_ticket}));
  const auto r = rulecheck({"eval", policy(), tickets});
  CHECK(r.status == 0);
  CHECK(r.out == joined({vpn_decision, security_decision, printer_decision}));
  CHECK(r.err.empty());
}

TEST_CASE("eval reads tickets from standard input without a file or with '-'") {
  const std::string input = joined({vpn_ticket, printer_ticket});
  SUBCASE("no file") {
    const auto r = rulecheck({"eval", policy()}, input);
    CHECK(r.status == 0);
    CHECK(r.out == joined({vpn_decision, printer_decision}));
  }
  SUBCASE("'-'") {
    const auto r = rulecheck({"eval", policy(), "-"}, input);
    CHECK(r.status == 0);
    CHECK(r.out == joined({vpn_decision, printer_decision}));
  }
}

TEST_CASE("blank lines are skipped but still counted in error line numbers") {
  // Line 1 blank, 2 a ticket, 3 spaces and a tab, 4 a CRLF ticket, 5 a bad one, and a last
  // line without a newline.
  std::string input = "\n";  // appends: GCC 12 warns falsely (-Wrestrict) on "\n" + string
  input += vpn_ticket;
  input += "\n \t \n";
  input += printer_ticket;
  input += "\r\n";
  input += R"({"id": "T-9", "issue": "x"})";
  input += "\n";
  input += security_ticket;
  const auto r = rulecheck({"eval", policy()}, input);
  CHECK(r.status == 1);
  CHECK(r.out == joined({vpn_decision, printer_decision,
                         R"({"id": "T-9", "line": 5, "error": "missing required field 'urgency'"})",
                         security_decision}));
}

TEST_CASE("every kind of bad line gets an error line naming its line, and the run goes on") {
  struct bad_line {
    std::string input;
    std::string output;
  };
  const std::vector<bad_line> cases = {
      {"[1, 2]", R"({"id": null, "line": 1, "error": "not a JSON object"})"},
      {R"({"id": "a", "issue": "x", "urgency": "high", "reopened": "two"})",
       R"({"id": "a", "line": 1, "error": "field 'reopened': expected an integer, found \"two\""})"},
      {R"({"id": "b", "issue": "x", "urgency": "high", "reopened": 3.0})",
       R"({"id": "b", "line": 1, "error": "field 'reopened': expected an integer, found 3.0"})"},
      {R"({"id": "c", "issue": "x", "urgency": "high", "sla": "2 hours"})",
       R"({"id": "c", "line": 1, "error": "field 'sla': expected a duration such as \"1h30m\" or a number of seconds, found \"2 hours\""})"},
      {R"({"id": "d", "urgency": "high"})",
       R"({"id": "d", "line": 1, "error": "missing required field 'issue'"})"},
      {R"({"id": "e", "issue": null, "urgency": "high"})",
       R"({"id": "e", "line": 1, "error": "missing required field 'issue'"})"},
      {R"({"id": "f", "issue": "x", "urgency": "high", "sla": "1h", "sla": "2h"})",
       R"({"id": "f", "line": 1, "error": "duplicate key 'sla'"})"},
      {R"({"id": "g", "issue": "x", "urgency": "hgih"})",
       R"({"id": "g", "line": 1, "error": "field 'urgency': \"hgih\" is not one of low, medium, high"})"},
      {R"({"id": "h", "issue": "x", "urgency": "high", "vip": 1})",
       R"({"id": "h", "line": 1, "error": "field 'vip': expected true or false, found 1"})"},
      {"{\"id\": \"i\", \"issue\": \"caf\xE9\", \"urgency\": \"high\"}",
       R"({"id": null, "line": 1, "error": "invalid JSON: the text is not valid UTF-8"})"},
      {R"({"id": "j", "issue": "x", "urgency": "high", "deep": )" + std::string(10'000, '[') +
           std::string(10'000, ']') + "}",
       R"({"id": null, "line": 1, "error": "JSON nested more than max_json_nesting (1024) levels deep"})"},
  };
  SUBCASE("malformed JSON (the parser's own words follow the prefix)") {
    const auto r = rulecheck({"eval", policy()}, "not json\n" + std::string(printer_ticket) + "\n");
    CHECK(r.status == 1);
    const auto lines = lines_of(r.out);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].starts_with(R"({"id": null, "line": 1, "error": "invalid JSON: )"));
    CHECK(lines[1] == printer_decision);
  }
  for (const bad_line& c : cases) {
    CAPTURE(c.input.substr(0, 80));
    // The bad line, then a good one: the bad one must not stop the run.
    const auto r = rulecheck({"eval", policy()}, c.input + "\n" + std::string(printer_ticket) + "\n");
    CHECK(r.status == 1);
    CHECK(r.out == c.output + "\n" + std::string(printer_decision) + "\n");
  }
}

TEST_CASE("a byte-order mark at the start of the input is ignored") {
  const auto r = rulecheck({"eval", policy()}, "\xEF\xBB\xBF" + joined({printer_ticket}));
  CHECK(r.status == 0);
  CHECK(r.out == joined({printer_decision}));
}

TEST_CASE("a key the schema does not declare is ignored") {
  const auto r = rulecheck(
      {"eval", policy()}, R"({"id": 3, "issue": "printer", "urgency": "medium", "colour": [1, {}]})");
  CHECK(r.status == 0);
  CHECK(r.out == joined({printer_decision}));
}

TEST_CASE("--id-field echoes another key as the id, or null when it is absent") {
  const std::string input = joined({R"({"ticket_no": 42, "issue": "x", "urgency": "low"})",
                                    R"({"id": "T-5", "issue": "x", "urgency": "low"})",
                                    R"({"ticket_no": {"a": 1}, "urgency": "low"})"});
  const auto r = rulecheck({"eval", policy(), "--id-field", "ticket_no"}, input);
  CHECK(r.status == 1);
  const std::string none = R"({"urgent": false, "priority": "P3", "notify": [], "queue": null, "risk": 0})";
  CHECK(r.out == joined({R"({"id": 42, "decision": )" + none + "}",
                         R"({"id": null, "decision": )" + none + "}",
                         R"({"id": {"a":1}, "line": 3, "error": "missing required field 'issue'"})"}));
}

TEST_CASE("--trace lists the matching rules of every output by label or file:line") {
  const auto r = rulecheck({"eval", policy(), "--trace"}, joined({vpn_ticket, "{}"}));
  CHECK(r.status == 1);
  const std::string vpn = std::string(vpn_decision);
  CHECK(r.out == joined({vpn.substr(0, vpn.size() - 1) +
                             R"(, "rules": {"urgent": ["hot"], "priority": ["p1", ")" + policy() +
                             R"(:17"], "notify": ["page", "page_manager"], "queue": ["vpn_queue"], "risk": []}})",
                         R"({"id": null, "line": 2, "error": "missing required field 'issue'"})"}));
}

TEST_CASE("a line longer than --max-line-bytes is rejected without being stored") {
  const std::string long_line = R"({"id": "long", "issue": ")" + std::string(300, 'x') +
                                R"(", "urgency": "low"})";
  const auto r = rulecheck({"eval", policy(), "--max-line-bytes", "200"},
                           joined({long_line, printer_ticket}));
  CHECK(r.status == 1);
  CHECK(r.out == joined({R"x({"id": null, "line": 1, "error": "line is longer than max_line_bytes (200)"})x",
                         printer_decision}));
  CHECK(rulecheck({"eval", policy(), "--max-line-bytes", "0"}).status == 2);
  CHECK(rulecheck({"eval", policy(), "--max-line-bytes", "12k"}).status == 2);
}

TEST_CASE("--max-line-bytes N accepts a line of exactly N bytes, its line end not counted, and rejects N + 1") {
  const std::string n = std::to_string(printer_ticket.size());
  const std::string input = std::string(printer_ticket) + "\n" +   // N bytes
                            std::string(printer_ticket) + "\r\n" + // N bytes and CRLF
                            std::string(printer_ticket) + " \n" +  // N + 1
                            std::string(printer_ticket) + " \r\n" + // N + 1 and CRLF
                            std::string(printer_ticket);            // N, no line end
  const std::string too_long = "line is longer than max_line_bytes (" + n + ")";
  const auto r = rulecheck({"eval", policy(), "--max-line-bytes", n}, input);
  CHECK(r.status == 1);
  CHECK(r.out == joined({printer_decision, printer_decision,
                         R"({"id": null, "line": 3, "error": ")" + too_long + R"("})",
                         R"({"id": null, "line": 4, "error": ")" + too_long + R"("})",
                         printer_decision}));
  // A line read in several pieces (longer than the reader's buffer) is held to the same limit.
  const std::string big = R"({"id": 3, "issue": ")" + std::string(1u << 20, 'x') + R"(", "urgency": "medium"})";
  const std::string big_n = std::to_string(big.size());
  const auto pieces = rulecheck({"eval", policy(), "--max-line-bytes", big_n},
                                big + "\r\n" + big + "x\r\n");
  CHECK(pieces.status == 1);
  CHECK(pieces.out == joined({printer_decision,
                              R"x({"id": null, "line": 2, "error": "line is longer than max_line_bytes ()x" +
                                  big_n + R"x()"})x"}));
}

TEST_CASE("a ticket with a 100 MB description is decided") {
  const std::string big = R"({"id": "big", "issue": ")" + std::string(100'000'000, 'x') +
                          R"(", "urgency": "medium"})";
  const std::string tickets = scratch_file("big.jsonl", joined({big, printer_ticket}));
  const auto r = rulecheck({"eval", policy(), tickets});
  CHECK(r.status == 0);
  CHECK(r.out == joined({R"({"id": "big", "decision": {"urgent": false, "priority": "P2", "notify": [], "queue": null, "risk": 0}})",
                         printer_decision}));
}

TEST_CASE("memory stays flat however many tickets stream through") {
  // The same stream, 1 MB and 64 MB long, through a pipe: peak memory must not grow with it.
  const auto peak_kb = [](std::size_t bytes, const char* jobs) {
    cli_test::live_rulecheck child({"eval", policy(), "--jobs", jobs}, false);
    std::string block;
    while (block.size() < (1u << 20)) block += std::string(vpn_ticket) + "\n";
    for (std::size_t sent = 0; sent < bytes; sent += block.size()) REQUIRE(child.write(block));
    const auto r = child.finish();
    CHECK(r.status == 0);
    return r.max_rss_kb;
  };
  for (const char* jobs : {"1", "3"}) {
    CAPTURE(jobs);
    const long small = peak_kb(std::size_t{1} << 20, jobs);
    const long large = peak_kb(std::size_t{64} << 20, jobs);
    CAPTURE(small);
    CAPTURE(large);
    CHECK(large < small + 8 * 1024);
  }
}

TEST_CASE("each answer is written as soon as its ticket is read from a pipe, with one job or --jobs 4") {
  for (const char* jobs : {"1", "4"}) {
    CAPTURE(jobs);
    cli_test::live_rulecheck child({"eval", policy(), "--jobs", jobs}, true);
    REQUIRE(child.write(std::string(vpn_ticket) + "\n"));
    CHECK(child.read_line(10'000) == vpn_decision);
    REQUIRE(child.write(std::string(printer_ticket) + "\n"));
    CHECK(child.read_line(10'000) == printer_decision);
    const auto r = child.finish();
    CHECK(r.status == 0);
  }
}

TEST_CASE("--jobs N writes exactly what one job writes, in input order") {
  // Valid, invalid, blank and too long lines, several thousand of them, so that many
  // batches are in flight at once.
  std::string input;
  for (int i = 0; i < 6'000; ++i) {
    switch (i % 7) {
      case 0: input += vpn_ticket; break;
      case 1: input += security_ticket; break;
      case 2: input += R"({"id": )" + std::to_string(i) + R"(, "issue": "x", "urgency": "hgih"})"; break;
      case 3: input += "   "; break;
      case 4: input += R"({"id": "long", "issue": ")" + std::string(400, 'x') + R"(", "urgency": "low"})"; break;
      case 5: input += "{not json"; break;
      default: input += R"({"id": )" + std::to_string(i) + R"(, "issue": "printer", "urgency": "medium"})"; break;
    }
    input += '\n';
  }
  const std::string tickets = scratch_file("jobs.jsonl", input);
  for (const bool trace : {false, true}) {
    CAPTURE(trace);
    std::vector<std::string> args = {"eval", policy(), tickets, "--max-line-bytes", "300"};
    if (trace) args.emplace_back("--trace");
    const auto one = rulecheck(args);
    CHECK(one.status == 1);
    CHECK(lines_of(one.out).size() == 6'000u - 6'000u / 7);  // every line but the blank ones
    for (const char* jobs : {"2", "4", "0"}) {
      CAPTURE(jobs);
      std::vector<std::string> with_jobs = args;
      with_jobs.insert(with_jobs.end(), {"--jobs", jobs});
      const auto many = rulecheck(with_jobs);
      CHECK(many.status == one.status);
      CHECK(many.out == one.out);
      CHECK(many.err.empty());
    }
  }
  // Every ticket valid: exit 0 with any number of jobs.
  const std::string valid = scratch_file("jobs-valid.jsonl", joined({vpn_ticket, printer_ticket, security_ticket}));
  const auto r = rulecheck({"eval", policy(), valid, "--jobs", "3"});
  CHECK(r.status == 0);
  CHECK(r.out == joined({vpn_decision, printer_decision, security_decision}));
}

TEST_CASE("--jobs takes a number of threads from 0 (one per core) to 256") {
  for (const char* bad : {"x", "-1", "257", "2.5", ""}) {
    CAPTURE(bad);
    const auto r = rulecheck({"eval", policy(), "--jobs", bad}, joined({printer_ticket}));
    CHECK(r.status == 2);
    CHECK(lines_of(r.err).at(0) ==
          std::string("rulecheck: error: invalid --jobs '") + bad + "'; expected 0 (one per core) to 256");
    CHECK(r.out.empty());
  }
}

TEST_CASE("eval exits with 2 when it cannot do its work") {
  SUBCASE("no policy") {
    const auto r = rulecheck({"eval"});
    CHECK(r.status == 2);
    CHECK(lines_of(r.err).at(0) == "rulecheck: error: no policy file given");
  }
  SUBCASE("an unknown option") {
    const auto r = rulecheck({"eval", policy(), "--tarce"});
    CHECK(r.status == 2);
    CHECK(lines_of(r.err).at(0) == "rulecheck: error: unknown option '--tarce'");
  }
  SUBCASE("a tickets file that cannot be read") {
    const std::string missing = (cli_test::scratch() / "missing.jsonl").string();
    const auto r = rulecheck({"eval", policy(), missing});
    CHECK(r.status == 2);
    CHECK(r.err == "rulecheck: error: cannot read '" + missing + "': No such file or directory\n");
    CHECK(r.out.empty());
  }
  SUBCASE("a policy that does not compile: its diagnostics as text on stderr") {
    const std::string bad = scratch_file("bad.rules",
                                         "field sla: duration\n"
                                         "output urgent: flag\n"
                                         "urgent if slaa < 2h\n");
    const auto r = rulecheck({"eval", bad}, std::string(vpn_ticket));
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    const auto err = lines_of(r.err);
    REQUIRE(err.size() >= 2);
    CHECK(err.front() == bad + ":3:11: error[unknown-name]: unknown field 'slaa'; did you mean 'sla'?");
    CHECK(err.back() == "rulecheck: error: policy '" + bad + "' does not compile");
  }
}

// ---- the malformed-ticket suite and hostile text -----------------------------------------

TEST_CASE("the whole malformed-ticket suite through eval: one error line per ticket, in order, none dropped") {
  const std::string dir = cli_test::source_path("tests/data/malformed_tickets");
  std::istringstream expected(cli_test::read_all(dir + "/expected.txt"));
  std::string stream;     // every ticket of the suite, in the order listed, then a good one
  std::string want;       // the line eval must write for each
  std::uint64_t line = 0;
  std::string row;
  while (std::getline(expected, row)) {
    if (row.empty() || row[0] == '#') continue;
    const std::size_t tab1 = row.find('\t');
    const std::size_t tab2 = row.find('\t', tab1 + 1);
    REQUIRE(tab2 != std::string::npos);
    stream += cli_test::read_all(dir + "/" + row.substr(0, tab1));
    ++line;
    want += "{\"id\": " + row.substr(tab1 + 1, tab2 - tab1 - 1) + ", \"line\": " + std::to_string(line) +
            ", \"error\": ";
    // The message as a JSON string: the suite's messages hold quotes but no backslash.
    const std::string message = row.substr(tab2 + 1);
    REQUIRE(message.find('\\') == std::string::npos);
    want += '"';
    for (const char c : message) want += c == '"' ? std::string("\\\"") : std::string(1, c);
    want += "\"}\n";
  }
  REQUIRE(line == 77);
  stream += std::string(printer_ticket) + "\n";
  want += std::string(printer_decision) + "\n";
  const std::string tickets = scratch_file("malformed.jsonl", stream);
  const auto r = rulecheck({"eval", policy(), tickets});
  CHECK(r.status == 1);
  CHECK(r.err.empty());
  CHECK(lines_of(r.out).size() == 78);
  CHECK(r.out == want);
}

TEST_CASE("control characters, terminal escapes and bidi controls from tickets are escaped in eval's output") {
  // ESC [ 2 J clears the screen; BEL; U+009B is CSI in one character; U+202E reverses the
  // line; DEL. JSON escapes the first two in the input; the others may come raw.
  const std::string c1 = "\xC2\x9B", rlo = "\xE2\x80\xAE", del = "\x7F";
  const std::string input = joined({
      R"({"id": "\u001b[2J\u0007", "issue": "x", "urgency": "\u001b[2J"})",
      R"({"id": ")" + c1 + "31m" + rlo + del + R"(", "issue": "x", "urgency": ")" + c1 + "31m" + rlo + del + R"("})",
      R"({"id": 1, "issue": "x", "urgency": "low", "\u001b]0;x\u0007": 1, "\u001b]0;x\u0007": 2})",
      R"({"id": ")" + rlo + R"(", "issue": ")" + rlo + R"(", "urgency": "high"})",
  });
  const auto r = rulecheck({"eval", policy()}, input);
  CHECK(r.status == 1);
  CHECK(r.out ==
        joined({R"({"id": "\u001b[2J\u0007", "line": 1, "error": "field 'urgency': \"\\u001b[2J\" is not one of low, medium, high"})",
                R"({"id": "\u009b31m\u202e\u007f", "line": 2, "error": "field 'urgency': \"\\u009b31m\\u202e\\u007f\" is not one of low, medium, high"})",
                R"({"id": 1, "line": 3, "error": "duplicate key '\\u{1b}]0;x\\u{7}'"})",
                R"({"id": "\u202e", "decision": {"urgent": false, "priority": "P2", "notify": [], "queue": null, "risk": 0}})"}));
  // Nothing hostile is left raw anywhere in the output.
  for (const char c : r.out) {
    CHECK((static_cast<unsigned char>(c) >= 0x20 || c == '\n'));
    CHECK(c != '\x7F');
  }
  CHECK(r.out.find(c1) == std::string::npos);
  CHECK(r.out.find(rlo) == std::string::npos);
}

TEST_CASE("hostile text in file names and test names is escaped on stderr and in test reports") {
  SUBCASE("a tickets file that cannot be read, named with a terminal escape") {
    const std::string missing = (cli_test::scratch() / "\x1b[2Jgone\xC2\x9B.jsonl").string();
    const auto r = rulecheck({"eval", policy(), missing});
    CHECK(r.status == 2);
    const std::string shown = (cli_test::scratch() / "\\u{1b}[2Jgone\\u{9b}.jsonl").string();
    CHECK(r.err == "rulecheck: error: cannot read '" + shown + "': No such file or directory\n");
  }
  SUBCASE("a failing test whose name holds control characters") {
    // Raw control characters inside a string are allowed in a policy (only invalid UTF-8 and
    // bidirectional controls are refused); they must not reach the terminal raw.
    const std::string rules = scratch_file("names.rules",
                                           "field a: string\n"
                                           "output o: flag\n"
                                           "o if a == \"x\"\n"
                                           "test \"t\x1b[31m\xC2\x9B\x7F\" {\n"
                                           "  given a = \"y\"\n"
                                           "  expect o = true\n"
                                           "}\n");
    const auto r = rulecheck({"test", rules});
    CHECK(r.status == 1);
    CHECK(r.out == rules + ":4:1: test 't\\u{1b}[31m\\u{9b}\\u{7f}' failed\n"
                           "  o: expected true, found false\n"
                           "0 passed, 1 failed\n");
  }
}

TEST_CASE("check and explain show control characters from a policy or a ticket escaped") {
  // A raw ESC, U+009B and DEL in a string literal are allowed in a policy; a diagnostic
  // quoting it escapes them in text (\u{1b}) and in JSON (\u001b).
  const std::string rules = scratch_file("raw.rules",
                                         "field a: int\n"
                                         "output o: flag\n"
                                         "o if a == \"x\x1b[31m\xC2\x9B\x7F\"\n");
  SUBCASE("check, text") {
    const auto r = rulecheck({"check", rules});
    CHECK(r.status == 1);
    CHECK(r.err == rules + ":3:11: error[type-mismatch]: expected an integer, found string "
                           "'\"x\\u{1b}[31m\\u{9b}\\u{7f}\"'\n"
                           "    3 | o if a == \"x\\u{1b}[31m\\u{9b}\\u{7f}\"\n"
                           "      |           ^~~~~~~~~~~~~~~~~~~~~~~~~\n"
                           "1 error, 0 warnings\n");
  }
  SUBCASE("check, JSON") {
    const auto r = rulecheck({"check", "--format", "json", rules});
    CHECK(r.status == 1);
    CHECK(r.out == R"({"file": ")" + rules +
                       R"(", "line": 3, "column": 11, "end_column": 21, "severity": "error", )"
                       R"("code": "type-mismatch", "message": "expected an integer, found string )"
                       R"('\"x\u001b[31m\u009b\u007f\"'", "notes": [], "example": null})"
                       "\n");
  }
  SUBCASE("explain, text: the ticket's values as the rules saw them") {
    const std::string policy_path = scratch_file("explain.rules",
                                                 "field a: string\n"
                                                 "output o: flag\n"
                                                 "hot: o if a == \"x\"\n");
    const auto r = rulecheck({"explain", policy_path, "--ticket",
                              "{\"a\": \"\\u001b[2J\xC2\x9B\xE2\x80\xAE\x7F\"}"});
    CHECK(r.status == 0);
    CHECK(r.out == "ticket: {\"a\": \"\\u001b[2J\\u009b\\u202e\\u007f\"}\n"
                   "\n"
                   "o = false  (any)\n"
                   "  \xE2\x9C\x97 hot: a == \"x\"  \xE2\x80\x94 a is \"\\u001b[2J\\u009b\\u202e\\u007f\"\n");
  }
  SUBCASE("explain, an invalid ticket: the error on stderr") {
    const std::string policy_path = scratch_file("enum.rules",
                                                 "field u: enum { low, high }\n"
                                                 "output o: flag\n"
                                                 "o if u == high\n");
    const auto r = rulecheck({"explain", policy_path, "--ticket",
                              "{\"u\": \"\\u001b[2J\xC2\x9B\xE2\x80\xAE\"}"});
    CHECK(r.status == 1);
    CHECK(r.err == "rulecheck: error: invalid ticket: field 'u': \"\\u001b[2J\\u009b\\u202e\" is not one "
                   "of low, high\n");
  }
}
