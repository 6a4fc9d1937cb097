// Rendering diagnostics: the text, JSON Lines and SARIF forms of the rulecheck contract.
#include "triage/render.hpp"

#include <doctest/doctest.h>

#include <string>
#include <utility>

#include "triage/version.hpp"

namespace {

// A span given by the text it covers: the `nth` occurrence (0-based) of `needle`.
triage::span span_of(const triage::source_file& src, std::string_view needle, std::size_t nth = 0) {
  std::size_t at = src.text().find(needle);
  for (std::size_t i = 0; i < nth; ++i) at = src.text().find(needle, at + 1);
  REQUIRE(at != std::string::npos);
  return {static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(at + needle.size())};
}

triage::diagnostic make(triage::diagnostic_code code, triage::span where, std::string message) {
  return triage::make_diagnostic(code, where, std::move(message));
}

// Eleven filler lines, so that the interesting line is line 12 as in the contract.
std::string filler() {
  std::string text;
  for (int i = 0; i < 11; ++i) text += "# filler\n";
  return text;
}

}  // namespace

TEST_CASE("an error is rendered with its source line and a caret under the span") {
  const triage::source_file src{"routing.rules", filler() + "urgent if slaa < 2h\n"};
  const triage::diagnostics issues{make(triage::diagnostic_code::unknown_name, span_of(src, "slaa"),
                                        "unknown field 'slaa'; did you mean 'sla'?")};
  CHECK(triage::render_text(src, issues) ==
        "routing.rules:12:11: error[unknown-name]: unknown field 'slaa'; did you mean 'sla'?\n"
        "   12 | urgent if slaa < 2h\n"
        "      |           ^~~~\n");
}

TEST_CASE("a warning's notes follow it with their own location and source line") {
  const triage::source_file src{"routing.rules",
                                "p1_high: priority if urgency >= high -> P1\n"
                                "p2_any: priority if urgency >= medium -> P2\n"};
  triage::diagnostic d = make(triage::diagnostic_code::shadowed_rule, span_of(src, "p2_any"),
                              "rule 'p2_any' can never decide 'priority'");
  d.notes.push_back(
      {span_of(src, "p1_high"), "every ticket it matches is matched first by rule 'p1_high'"});
  CHECK(triage::render_text(src, {d}) ==
        "routing.rules:2:1: warning[shadowed-rule]: rule 'p2_any' can never decide 'priority'\n"
        "    2 | p2_any: priority if urgency >= medium -> P2\n"
        "      | ^~~~~~\n"
        "routing.rules:1:1: note: every ticket it matches is matched first by rule 'p1_high'\n"
        "    1 | p1_high: priority if urgency >= high -> P1\n"
        "      | ^~~~~~~\n");
}

TEST_CASE("colour marks the location bold and the severity and caret in its colour") {
  const triage::source_file src{"a.rules", "x if y\n"};
  triage::diagnostic error =
      make(triage::diagnostic_code::unknown_name, span_of(src, "y"), "unknown field 'y'");
  error.notes.push_back({span_of(src, "x"), "in this rule"});
  const triage::diagnostic warning =
      make(triage::diagnostic_code::unused_declaration, span_of(src, "x"), "unused");
  const std::string text = triage::render_text(src, {error, warning}, {.color = true});
  CHECK(text ==
        "\x1b[1ma.rules:1:6:\x1b[0m \x1b[1;31merror[unknown-name]:\x1b[0m unknown field 'y'\n"
        "    1 | x if y\n"
        "      |      \x1b[1;31m^\x1b[0m\n"
        "\x1b[1ma.rules:1:1:\x1b[0m \x1b[1;36mnote:\x1b[0m in this rule\n"
        "    1 | x if y\n"
        "      | \x1b[1;36m^\x1b[0m\n"
        "\x1b[1ma.rules:1:1:\x1b[0m \x1b[1;35mwarning[unused-declaration]:\x1b[0m unused\n"
        "    1 | x if y\n"
        "      | \x1b[1;35m^\x1b[0m\n");
  // Without the option, no escape sequence at all.
  CHECK(triage::render_text(src, {error, warning}).find('\x1b') == std::string::npos);
}

TEST_CASE("a tab is one column and prints as one space so the caret lines up") {
  const triage::source_file src{"t.rules", "\turgent if\tslaa < 2h\n"};
  const triage::diagnostics issues{
      make(triage::diagnostic_code::unknown_name, span_of(src, "slaa"), "unknown field 'slaa'")};
  CHECK(triage::render_text(src, issues) ==
        "t.rules:1:12: error[unknown-name]: unknown field 'slaa'\n"
        "    1 |  urgent if slaa < 2h\n"
        "      |            ^~~~\n");
}

TEST_CASE("columns and carets count code points, and wide characters take two cells") {
  const triage::source_file src{"u.rules", "team if issue contains \"é→漢\" and slaa\n"};
  SUBCASE("a span after multi-byte characters") {
    const triage::diagnostics issues{
        make(triage::diagnostic_code::unknown_name, span_of(src, "slaa"), "unknown field 'slaa'")};
    // Column 34: 'é', '→' and '漢' are one column each though they take 2, 3, 3 bytes.
    // The caret is shifted one more cell because a terminal draws '漢' two cells wide.
    CHECK(triage::render_text(src, issues) ==
          "u.rules:1:34: error[unknown-name]: unknown field 'slaa'\n"
          "    1 | team if issue contains \"é→漢\" and slaa\n"
          "      | " +
              std::string(33 + 1, ' ') + "^~~~\n");
  }
  SUBCASE("a span over multi-byte characters") {
    const triage::diagnostics issues{
        make(triage::diagnostic_code::invalid_literal, span_of(src, "\"é→漢\""), "bad string")};
    CHECK(triage::render_text(src, issues) ==
          "u.rules:1:24: error[invalid-literal]: bad string\n"
          "    1 | team if issue contains \"é→漢\" and slaa\n"
          "      |                        ^~~~~~\n");
    CHECK(triage::render_json_lines(src, issues)
              .starts_with(R"({"file": "u.rules", "line": 1, "column": 24, "end_column": 29, )"));
  }
}

TEST_CASE("a CRLF line end is not part of the printed line") {
  const triage::source_file src{"w.rules", "field a: int\r\nurgent if slaa < 2h\r\n"};
  const triage::diagnostics issues{
      make(triage::diagnostic_code::unknown_name, span_of(src, "slaa"), "unknown field 'slaa'")};
  CHECK(triage::render_text(src, issues) ==
        "w.rules:2:11: error[unknown-name]: unknown field 'slaa'\n"
        "    2 | urgent if slaa < 2h\n"
        "      |           ^~~~\n");
}

TEST_CASE("an empty span gets a single caret") {
  const triage::source_file src{"e.rules", "priority if -> P1\n"};
  const auto at = static_cast<std::uint32_t>(src.text().find("->") - 1);
  const triage::diagnostics issues{
      make(triage::diagnostic_code::syntax, {at, at}, "expected a condition, found '->'")};
  CHECK(triage::render_text(src, issues) ==
        "e.rules:1:12: error[syntax]: expected a condition, found '->'\n"
        "    1 | priority if -> P1\n"
        "      |            ^\n");
  CHECK(triage::render_json_lines(src, issues)
            .starts_with(R"({"file": "e.rules", "line": 1, "column": 12, "end_column": 12, )"));
}

TEST_CASE("a span at the end of the file points just past the last character") {
  SUBCASE("without a final newline") {
    const triage::source_file src{"f.rules", "priority if"};
    const triage::diagnostics issues{
        make(triage::diagnostic_code::syntax, {11, 11}, "expected a condition, found the end")};
    CHECK(triage::render_text(src, issues) ==
          "f.rules:1:12: error[syntax]: expected a condition, found the end\n"
          "    1 | priority if\n"
          "      |            ^\n");
  }
  SUBCASE("after a final newline the end is on an empty line") {
    const triage::source_file src{"f.rules", "priority if\n"};
    const triage::diagnostics issues{
        make(triage::diagnostic_code::syntax, {12, 12}, "expected a condition, found the end")};
    CHECK(triage::render_text(src, issues) ==
          "f.rules:2:1: error[syntax]: expected a condition, found the end\n"
          "    2 |\n"
          "      | ^\n");
  }
}

TEST_CASE("a span running past its line is underlined to the line's end") {
  const triage::source_file src{"m.rules", "urgent if a and\n  b\n"};
  const triage::span cond{static_cast<std::uint32_t>(src.text().find('a')),
                          static_cast<std::uint32_t>(src.text().find('b') + 1)};
  const triage::diagnostics issues{
      make(triage::diagnostic_code::always_true, cond, "condition is always true")};
  CHECK(triage::render_text(src, issues) ==
        "m.rules:1:11: warning[always-true]: condition is always true\n"
        "    1 | urgent if a and\n"
        "      |           ^~~~~\n");
  CHECK(triage::render_json_lines(src, issues) ==
        R"({"file": "m.rules", "line": 1, "column": 11, "end_column": 16, "severity": "warning", )"
        R"("code": "always-true", "message": "condition is always true", "notes": [], )"
        R"("example": null})"
        "\n");
}

TEST_CASE("an example ticket is printed under the source line, aligned with the gutter") {
  const triage::source_file src{"x.rules", "urgent if sla < 2h and sla > 3h\n"};
  triage::diagnostic d = make(triage::diagnostic_code::unsatisfiable_rule, span_of(src, "urgent"),
                              "rule 'x.rules:1' can never match");
  d.example_json = R"({"sla":"1h"})";
  CHECK(triage::render_text(src, {d}) ==
        "x.rules:1:1: warning[unsatisfiable-rule]: rule 'x.rules:1' can never match\n"
        "    1 | urgent if sla < 2h and sla > 3h\n"
        "      | ^~~~~~\n"
        "      = example ticket: {\"sla\":\"1h\"}\n");
}

TEST_CASE("the gutter widens for line numbers of more than five digits") {
  std::string text;
  for (int i = 1; i < 123456; ++i) text += '\n';
  text += "x if y\n";
  const triage::source_file src{"big.rules", std::move(text)};
  const triage::diagnostics issues{
      make(triage::diagnostic_code::unknown_name, span_of(src, "y"), "unknown field 'y'")};
  CHECK(triage::render_text(src, issues) ==
        "big.rules:123456:6: error[unknown-name]: unknown field 'y'\n"
        "123456 | x if y\n"
        "       |      ^\n");
}

TEST_CASE("terminal escapes and control characters from a policy are printed escaped") {
  const triage::source_file src{"\x1b[31mevil.rules",
                                "team if issue contains \"\x1b]0;pwned\x07\" and slaa\n"};
  const triage::diagnostics issues{make(triage::diagnostic_code::unknown_name, span_of(src, "slaa"),
                                        "unknown field 'sl\x1b[2Jaa\xe2\x80\xae'")};
  // Column 41; the caret moves right by the width of each escape (\u{1b} and \u{7} are
  // one column each but take 6 and 5 cells).
  CHECK(triage::render_text(src, issues) ==
        "\\u{1b}[31mevil.rules:1:41: error[unknown-name]: unknown field "
        "'sl\\u{1b}[2Jaa\\u{202e}'\n"
        "    1 | team if issue contains \"\\u{1b}]0;pwned\\u{7}\" and slaa\n"
        "      | " +
            std::string(40 + 5 + 4, ' ') + "^~~~\n");
}

TEST_CASE("hostile text in a file name, message, note or example is escaped in every format") {
  // ESC [ 2 J clears the screen, BEL rings, NUL ends C strings, DEL, U+009B (CSI in one
  // character) and U+202E (right-to-left override) would act on a terminal or reorder a line.
  const std::string hostile = std::string("\x1b[2J\x07") + '\0' + "\x7f\xc2\x9b\xe2\x80\xae";
  const triage::source_file src{"p" + hostile + ".rules", "urgent if x\n"};
  triage::diagnostic d = make(triage::diagnostic_code::unknown_name, span_of(src, "x"),
                              "unknown field '" + hostile + "'");
  d.notes.push_back({span_of(src, "urgent"), "note " + hostile});
  const std::string as_text = "\\u{1b}[2J\\u{7}\\u{0}\\u{7f}\\u{9b}\\u{202e}";
  const std::string as_json = "\\u001b[2J\\u0007\\u0000\\u007f\\u009b\\u202e";
  SUBCASE("text") {
    d.example_json = "{\"x\":\"" + hostile + "\"}";  // as a host might build one by hand
    CHECK(triage::render_text(src, {d}) ==
          "p" + as_text + ".rules:1:11: error[unknown-name]: unknown field '" + as_text + "'\n" +
              "    1 | urgent if x\n"
              "      |           ^\n"
              "      = example ticket: {\"x\":\"" + as_text + "\"}\n"
              "p" + as_text + ".rules:1:1: note: note " + as_text + "\n" +
              "    1 | urgent if x\n"
              "      | ^~~~~~\n");
  }
  SUBCASE("JSON Lines") {
    CHECK(triage::render_json_lines(src, {d}) ==
          R"({"file": "p)" + as_json + R"(.rules", "line": 1, "column": 11, "end_column": 12, )" +
              R"("severity": "error", "code": "unknown-name", "message": "unknown field ')" + as_json +
              R"('", "notes": [{"file": "p)" + as_json + R"(.rules", "line": 1, "column": 1, )" +
              R"("message": "note )" + as_json + R"("}], "example": null})" + "\n");
  }
  SUBCASE("SARIF") {
    const triage::diagnostics issues{d};
    const triage::file_diagnostics files[] = {{&src, &issues}};
    const std::string sarif = triage::render_sarif(files);
    CHECK(sarif.find(R"("text": "unknown field ')" + as_json + R"('")") != std::string::npos);
    CHECK(sarif.find(R"("text": "note )" + as_json + R"(")") != std::string::npos);
    // A file name is a URI there, percent-encoded.
    CHECK(sarif.find(R"("uri": "p%1B%5B2J%07%00%7F%C2%9B%E2%80%AE.rules")") != std::string::npos);
    // Nothing hostile is left raw: no control character but the line ends, no C1, no U+202E.
    for (const char c : sarif) {
      const auto byte = static_cast<unsigned char>(c);
      CHECK((byte >= 0x20 || c == '\n'));
      CHECK(byte != 0x7f);
    }
    CHECK(sarif.find("\xc2\x9b") == std::string::npos);
    CHECK(sarif.find("\xe2\x80\xae") == std::string::npos);
  }
}

TEST_CASE("invalid UTF-8 in a source line is shown as U+FFFD") {
  const triage::source_file src{"i.rules", "x if \xff\xfe y\n"};
  const triage::diagnostics issues{
      make(triage::diagnostic_code::syntax, span_of(src, "y"), "unexpected 'y'")};
  CHECK(triage::render_text(src, issues) ==
        "i.rules:1:9: error[syntax]: unexpected 'y'\n"
        "    1 | x if \xef\xbf\xbd\xef\xbf\xbd y\n"
        "      |         ^\n");
}

TEST_CASE("a very long line is shown as a window around the span") {
  const std::string prefix(1000, 'a');
  const triage::source_file src{"l.rules", "x if " + prefix + " zz " + std::string(1000, 'b')};
  const triage::diagnostics issues{
      make(triage::diagnostic_code::unknown_name, span_of(src, "zz"), "unknown field 'zz'")};
  const std::string text = triage::render_text(src, issues);
  // Column 1007 with 40 columns of context before it, 240 columns in all.
  const std::string expected_line =
      "    1 | ..." + std::string(39, 'a') + " zz " + std::string(240 - 40 - 3, 'b') + "...\n";
  const std::string expected_caret = "      | " + std::string(3 + 40, ' ') + "^~\n";
  CHECK(text == "l.rules:1:1007: error[unknown-name]: unknown field 'zz'\n" + expected_line +
                    expected_caret);
}

TEST_CASE("JSON Lines hold one object a finding with the contract's keys in order") {
  const triage::source_file src{"routing.rules", filler() + "urgent if slaa < 2h\n"};
  triage::diagnostic error = make(triage::diagnostic_code::unknown_name, span_of(src, "slaa"),
                                  "unknown field 'slaa'; did you mean 'sla'?");
  error.notes.push_back({span_of(src, "urgent"), "in a rule of 'urgent'"});
  triage::diagnostic warning =
      make(triage::diagnostic_code::unsatisfiable_rule, span_of(src, "urgent"), "never");
  warning.example_json = R"({"sla":"1h","tags":["vip"]})";
  CHECK(triage::render_json_lines(src, {error, warning}) ==
        R"({"file": "routing.rules", "line": 12, "column": 11, "end_column": 15, )"
        R"("severity": "error", "code": "unknown-name", )"
        R"("message": "unknown field 'slaa'; did you mean 'sla'?", )"
        R"("notes": [{"file": "routing.rules", "line": 12, "column": 1, )"
        R"("message": "in a rule of 'urgent'"}], "example": null})"
        "\n"
        R"({"file": "routing.rules", "line": 12, "column": 1, "end_column": 7, )"
        R"("severity": "warning", "code": "unsatisfiable-rule", "message": "never", )"
        R"("notes": [], "example": {"sla":"1h","tags":["vip"]}})"
        "\n");
  CHECK(triage::render_json_lines(src, {}).empty());
}

TEST_CASE("JSON strings escape quotes, backslashes, control characters and bidirectional controls") {
  const triage::source_file src{"dir\\a \"b\".rules", "x\n"};
  // JSON requires only C0 to be escaped; DEL, C1 (U+009B is a one-byte CSI), U+202E and
  // U+2028 are escaped too, so that JSON shown on a terminal cannot drive or reorder it.
  const triage::diagnostics issues{make(triage::diagnostic_code::invalid_literal, {0, 1},
                                        "bad \"\\\t\n\r\b\f\x01\x1b\x7f\xc2\x9b\xe2\x80\xae\xe2\x80\xa8 é")};
  CHECK(triage::render_json_lines(src, issues) ==
        R"({"file": "dir\\a \"b\".rules", "line": 1, "column": 1, "end_column": 2, )"
        R"("severity": "error", "code": "invalid-literal", )"
        R"("message": "bad \"\\\t\n\r\b\f\u0001\u001b\u007f\u009b\u202e\u2028 é", )"
        R"("notes": [], "example": null})"
        "\n");
}

TEST_CASE("invalid UTF-8 still produces valid JSON, with U+FFFD in its place") {
  const triage::source_file src{"bad\xff.rules", "x\n"};
  // A lone continuation byte, a truncated sequence, an overlong '/' and a surrogate.
  const triage::diagnostics issues{
      make(triage::diagnostic_code::syntax, {0, 1}, "a\x80 b\xe2\x82 c\xc0\xaf d\xed\xa0\x80 e")};
  const std::string fffd = "\xef\xbf\xbd";
  CHECK(triage::render_json_lines(src, issues) ==
        R"({"file": "bad)" + fffd + R"(.rules", "line": 1, "column": 1, "end_column": 2, )" +
            R"("severity": "error", "code": "syntax", "message": "a)" + fffd + " b" + fffd + " c" +
            fffd + " d" + fffd + R"( e", "notes": [], "example": null})" + "\n");
}

TEST_CASE("SARIF is one 2.1.0 document with rules, results, regions and related locations") {
  const triage::source_file a{"policies/a b.rules", "urgent if slaa < 2h\n"};
  const triage::source_file b{"/abs/b.rules", "p1: priority if x -> P1\np2: priority if x -> P2\n"};
  triage::diagnostics a_issues{
      make(triage::diagnostic_code::unknown_name, span_of(a, "slaa"), "unknown field 'slaa'")};
  triage::diagnostic shadowed = make(triage::diagnostic_code::shadowed_rule, span_of(b, "p2"),
                                     "rule 'p2' can never decide 'priority'");
  shadowed.notes.push_back({span_of(b, "p1"), "matched first by rule 'p1'"});
  shadowed.example_json = R"({"x":true})";
  shadowed.level = triage::severity::error;  // as under --werror
  triage::diagnostics b_issues{shadowed,
                               make(triage::diagnostic_code::unknown_name,
                                    {0, static_cast<std::uint32_t>(b.text().size())}, "two lines")};
  const triage::file_diagnostics files[] = {{&a, &a_issues}, {&b, &b_issues}};
  CHECK(triage::render_sarif(files) == R"({
  "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
  "version": "2.1.0",
  "runs": [
    {
      "tool": {
        "driver": {
          "name": "rulecheck",
          "version": ")" TRIAGE_VERSION_STRING R"(",
          "rules": [
            {
              "id": "unknown-name",
              "defaultConfiguration": {
                "level": "error"
              }
            },
            {
              "id": "shadowed-rule",
              "defaultConfiguration": {
                "level": "warning"
              }
            }
          ]
        }
      },
      "columnKind": "unicodeCodePoints",
      "results": [
        {
          "ruleId": "unknown-name",
          "ruleIndex": 0,
          "level": "error",
          "message": {
            "text": "unknown field 'slaa'"
          },
          "locations": [
            {
              "physicalLocation": {
                "artifactLocation": {
                  "uri": "policies/a%20b.rules"
                },
                "region": {
                  "startLine": 1,
                  "startColumn": 11,
                  "endLine": 1,
                  "endColumn": 15
                }
              }
            }
          ]
        },
        {
          "ruleId": "shadowed-rule",
          "ruleIndex": 1,
          "level": "error",
          "message": {
            "text": "rule 'p2' can never decide 'priority'"
          },
          "locations": [
            {
              "physicalLocation": {
                "artifactLocation": {
                  "uri": "file:///abs/b.rules"
                },
                "region": {
                  "startLine": 2,
                  "startColumn": 1,
                  "endLine": 2,
                  "endColumn": 3
                }
              }
            }
          ],
          "relatedLocations": [
            {
              "id": 0,
              "physicalLocation": {
                "artifactLocation": {
                  "uri": "file:///abs/b.rules"
                },
                "region": {
                  "startLine": 1,
                  "startColumn": 1,
                  "endLine": 1,
                  "endColumn": 3
                }
              },
              "message": {
                "text": "matched first by rule 'p1'"
              }
            }
          ],
          "properties": {
            "example": {"x":true}
          }
        },
        {
          "ruleId": "unknown-name",
          "ruleIndex": 0,
          "level": "error",
          "message": {
            "text": "two lines"
          },
          "locations": [
            {
              "physicalLocation": {
                "artifactLocation": {
                  "uri": "file:///abs/b.rules"
                },
                "region": {
                  "startLine": 1,
                  "startColumn": 1,
                  "endLine": 3,
                  "endColumn": 1
                }
              }
            }
          ]
        }
      ]
    }
  ]
}
)");
}

TEST_CASE("SARIF with no findings still has a run with empty rules and results") {
  const std::string sarif = triage::render_sarif({});
  CHECK(sarif.find("\"rules\": []") != std::string::npos);
  CHECK(sarif.find("\"results\": []") != std::string::npos);
  CHECK(sarif.find("\"columnKind\": \"unicodeCodePoints\"") != std::string::npos);
}

TEST_CASE("a note-severity finding is labelled with its code like errors and warnings") {
  const triage::source_file src{"n.rules", "output team: enum { a, b } unique\n"};
  const triage::diagnostics issues{make(triage::diagnostic_code::analysis_budget,
                                        span_of(src, "team"),
                                        "overlaps of 'team' not settled within the budget")};
  CHECK(triage::render_text(src, issues) ==
        "n.rules:1:8: note[analysis-budget]: overlaps of 'team' not settled within the budget\n"
        "    1 | output team: enum { a, b } unique\n"
        "      |        ^~~~\n");
  CHECK(triage::render_json_lines(src, issues).find(R"("severity": "note", )") !=
        std::string::npos);
}
