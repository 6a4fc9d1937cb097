// The sample policies of grammar/samples and the diagnostics catalogue, kept honest.
//
// - Every valid sample parses and checks with no diagnostic at all.
// - Every invalid sample starts with `# expect: LINE:COLUMN: SEVERITY[CODE]: MESSAGE`, and
//   that is exactly the first diagnostic the front end reports for it.
// - grammar/diagnostics.md quotes every invalid sample's expectation verbatim and has a
//   section for every diagnostic code, so the catalogue cannot drift from the code.
// - The `test` blocks of the valid samples pass when `rulecheck test` runs them, so the
//   samples' expectations agree with the engine, and `rulecheck check`'s analysis finds
//   nothing in them either.
// - The keyword lists of grammar/language.md are what the parser does, and the editor
//   grammars highlight every word of them.
// - Between them the samples cover the language: every code the front end reports has an
//   invalid sample, and the valid samples use every type, operator and hit policy.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sys/wait.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "triage/check.hpp"
#include "triage/diagnostic.hpp"

namespace {

namespace fs = std::filesystem;

const fs::path grammar_dir = fs::path(TRIAGE_SOURCE_DIR) / "grammar";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot read ", path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The `.rules` files of a samples folder, sorted so failures are reported in a stable order.
std::vector<fs::path> samples(const char* kind) {
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(grammar_dir / "samples" / kind)) {
    if (entry.is_regular_file() && entry.path().extension() == ".rules") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// A diagnostic as an `# expect:` line writes it: "LINE:COLUMN: SEVERITY[CODE]: MESSAGE".
std::string expectation(const triage::source_file& src, const triage::diagnostic& d) {
  const triage::position p = src.position_of(d.where.begin);
  return fmt::format("{}:{}: {}[{}]: {}", p.line, p.column, triage::severity_name(d.level),
                     triage::code_name(d.code), d.message);
}

std::string all_diagnostics(const triage::source_file& src, const triage::diagnostics& issues) {
  std::string out;
  for (const triage::diagnostic& d : issues) out += expectation(src, d) + "\n";
  return out;
}

// The expectation an invalid sample states on its first line, or "" when it has none.
std::string stated_expectation(const std::string& text) {
  constexpr std::string_view prefix = "# expect: ";
  const std::string first_line = text.substr(0, text.find_first_of("\r\n"));
  if (first_line.compare(0, prefix.size(), prefix) != 0) return {};
  return first_line.substr(prefix.size());
}

// The codes the front end (parser and checker) reports; the others come from the analysis.
bool reported_by_front_end(triage::diagnostic_code code) {
  using triage::diagnostic_code;
  switch (code) {
    case diagnostic_code::unique_overlap:
    case diagnostic_code::incomplete_output:
    case diagnostic_code::unsatisfiable_rule:
    case diagnostic_code::shadowed_rule:
    case diagnostic_code::duplicate_rule:
    case diagnostic_code::always_true:
    case diagnostic_code::analysis_budget:
      return false;
    default:
      return true;
  }
}

// The words of the first code block after `heading` in `markdown`.
std::vector<std::string> words_after(const std::string& markdown, const std::string& heading) {
  const std::size_t at = markdown.find(heading);
  REQUIRE_MESSAGE(at != std::string::npos, "no '", heading, "' in language.md");
  const std::size_t open = markdown.find("```\n", at);
  REQUIRE(open != std::string::npos);
  const std::size_t close = markdown.find("```", open + 4);
  REQUIRE(close != std::string::npos);
  std::istringstream block(markdown.substr(open + 4, close - open - 4));
  std::vector<std::string> words;
  for (std::string w; block >> w;) words.push_back(w);
  return words;
}

// Whether `word` occurs in `text` with no identifier character on either side.
bool has_word(const std::string& text, const std::string& word) {
  const auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (std::size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    const bool left = at == 0 || !ident(text[at - 1]);
    const bool right = at + word.size() == text.size() || !ident(text[at + word.size()]);
    if (left && right) return true;
  }
  return false;
}

constexpr auto last_code = triage::diagnostic_code::analysis_budget;

std::vector<triage::diagnostic_code> all_codes() {
  std::vector<triage::diagnostic_code> codes;
  for (int c = 0; c <= static_cast<int>(last_code); ++c) {
    codes.push_back(static_cast<triage::diagnostic_code>(c));
  }
  return codes;
}

}  // namespace

TEST_CASE("every valid sample parses and checks without a single diagnostic") {
  const std::vector<fs::path> files = samples("valid");
  REQUIRE(files.size() >= 8);
  for (const fs::path& file : files) {
    CAPTURE(file.filename().string());
    const triage::source_file src(file.filename().string(), read_file(file));
    const triage::check_result result = triage::parse_and_check(src);
    CHECK(all_diagnostics(src, result.issues) == "");
    CHECK(result.ok());
  }
}

// Runs rulecheck SUBCOMMAND on every valid sample; returns its exit status and output
// (stdout and stderr together), or nothing when the CLI is not part of this build.
std::optional<std::pair<int, std::string>> rulecheck_on_valid_samples(const char* subcommand) {
  const std::string rulecheck = TRIAGE_RULECHECK;
  if (rulecheck.empty()) return std::nullopt;
  REQUIRE_MESSAGE(fs::exists(rulecheck), "build the rulecheck target first: ", rulecheck);
  std::string command = "'" + rulecheck + "' " + subcommand;
  for (const fs::path& file : samples("valid")) command += " '" + file.string() + "'";
  command += " 2>&1";
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
    output.append(buffer, n);
  const int status = pclose(pipe);
  return std::pair{WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TEST_CASE("the tests written in the valid samples pass when rulecheck runs them") {
  const auto run = rulecheck_on_valid_samples("test");
  if (!run) {
    MESSAGE("rulecheck is not part of this build (TRIAGE_BUILD_CLI=OFF); skipped");
    return;
  }
  // Not a structured binding: clang 14 cannot capture one in CAPTURE's lambda.
  const int status = run->first;
  const std::string& output = run->second;
  CAPTURE(output);
  CHECK(status == 0);
  // The closing line, "N passed, N failed", counts every test of every file: none may
  // fail, and at least one per sample must have run.
  const std::size_t at = output.rfind(" passed, ");
  REQUIRE(at != std::string::npos);
  const std::size_t newline = output.rfind('\n', at);
  const std::size_t line_start = newline == std::string::npos ? 0 : newline + 1;
  unsigned passed = 0;
  unsigned failed = 0;
  REQUIRE(std::sscanf(output.c_str() + line_start, "%u passed, %u failed", &passed, &failed) == 2);
  CHECK(failed == 0);
  CHECK(passed >= samples("valid").size());
}

TEST_CASE("the valid samples are clean under rulecheck check's analysis too") {
  const auto run = rulecheck_on_valid_samples("check");
  if (!run) {
    MESSAGE("rulecheck is not part of this build (TRIAGE_BUILD_CLI=OFF); skipped");
    return;
  }
  // No overlap, gap, shadowed, duplicate, unsatisfiable or always-true rule: only the
  // summary line, "ok".
  CHECK(run->first == 0);
  CHECK(run->second == "ok\n");
}

TEST_CASE("every invalid sample reports exactly the finding its first line expects, first") {
  const std::vector<fs::path> files = samples("invalid");
  REQUIRE_FALSE(files.empty());
  for (const fs::path& file : files) {
    CAPTURE(file.filename().string());
    const std::string text = read_file(file);
    const std::string expected = stated_expectation(text);
    REQUIRE_MESSAGE(expected != "", "the first line must be '# expect: LINE:COLUMN: ...'");
    const triage::source_file src(file.filename().string(), text);
    const triage::check_result result = triage::parse_and_check(src);
    REQUIRE_MESSAGE(!result.issues.empty(), "no diagnostic; expected: ", expected);
    CAPTURE(all_diagnostics(src, result.issues));
    CHECK(expectation(src, result.issues.front()) == expected);
  }
}

TEST_CASE("every code the front end reports has an invalid sample named after it") {
  std::set<std::string> expected_codes;
  for (const fs::path& file : samples("invalid")) {
    const std::string expected = stated_expectation(read_file(file));
    const auto open = expected.find('[');
    const auto close = expected.find(']');
    if (open == std::string::npos || close == std::string::npos || close < open) continue;
    const std::string code = expected.substr(open + 1, close - open - 1);
    expected_codes.insert(code);
    // Files are named CODE.rules or CODE-VARIANT.rules, so a reader finds them by code.
    CAPTURE(file.filename().string());
    CHECK(file.filename().string().rfind(code, 0) == 0);
  }
  for (const triage::diagnostic_code code : all_codes()) {
    if (!reported_by_front_end(code)) continue;
    CAPTURE(triage::code_name(code));
    CHECK(expected_codes.count(std::string(triage::code_name(code))) == 1);
  }
}

TEST_CASE("the diagnostics catalogue quotes every invalid sample's expectation verbatim") {
  const std::string catalogue = read_file(grammar_dir / "diagnostics.md");
  for (const fs::path& file : samples("invalid")) {
    CAPTURE(file.filename().string());
    const std::string expected = stated_expectation(read_file(file));
    REQUIRE(expected != "");
    CHECK(catalogue.find(expected) != std::string::npos);
  }
}

TEST_CASE("the diagnostics catalogue has a section for every code of the contract") {
  const std::string catalogue = read_file(grammar_dir / "diagnostics.md");
  for (const triage::diagnostic_code code : all_codes()) {
    CAPTURE(triage::code_name(code));
    const std::string heading = fmt::format("\n## `{}`", triage::code_name(code));
    CHECK(catalogue.find(heading) != std::string::npos);
    // The severity is stated right under the heading.
    const auto at = catalogue.find(heading);
    if (at == std::string::npos) continue;
    const std::string severity_line =
        fmt::format("Severity: **{}**", triage::severity_name(triage::default_severity(code)));
    const auto next_heading = catalogue.find("\n## ", at + 1);
    CHECK(catalogue.substr(at, next_heading - at).find(severity_line) != std::string::npos);
  }
}

TEST_CASE("together the valid samples use every type, operator and hit policy") {
  std::set<triage::field_type> field_types;
  std::set<triage::output_type> output_types;
  std::set<triage::hit_policy> policies;
  std::set<triage::atom_op> ops;
  bool label = false;
  bool let = false;
  bool test = false;
  bool crlf = false;
  bool unicode = false;
  bool default_value = false;
  bool complete = false;
  for (const fs::path& file : samples("valid")) {
    CAPTURE(file.filename().string());
    const std::string text = read_file(file);
    crlf = crlf || text.find("\r\n") != std::string::npos;
    unicode = unicode || std::any_of(text.begin(), text.end(),
                                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
    const triage::check_result result =
        triage::parse_and_check(triage::source_file(file.filename().string(), text));
    REQUIRE(result.ok());
    const triage::model& m = *result.value;
    for (const auto& f : m.fields) field_types.insert(f.type);
    for (const auto& o : m.outputs) {
      output_types.insert(o.type);
      policies.insert(o.policy);
      default_value = default_value || o.default_value.has_value();
      complete = complete || o.complete;
    }
    // Atoms of rules and lets; conditions are walked with an explicit stack.
    std::vector<const triage::expr*> todo;
    for (const auto& r : m.rules) todo.push_back(&r.condition);
    for (const auto& l : m.lets) todo.push_back(&l.condition);
    while (!todo.empty()) {
      const triage::expr* e = todo.back();
      todo.pop_back();
      if (e->of == triage::expr::kind::atom) ops.insert(e->test.op);
      for (const auto& operand : e->operands) todo.push_back(&operand);
    }
    label = label || std::any_of(m.rules.begin(), m.rules.end(),
                                 [](const triage::rule_def& r) { return r.label.has_value(); });
    let = let || !m.lets.empty();
    test = test || !m.tests.empty();
  }
  CHECK(field_types.size() == 7);
  CHECK(output_types.size() == 4);
  CHECK(policies.size() == 7);
  CHECK(ops.size() == static_cast<std::size_t>(triage::atom_op::is_present) + 1);
  CHECK(label);
  CHECK(let);
  CHECK(test);
  CHECK(crlf);
  CHECK(unicode);
  CHECK(default_value);
  CHECK(complete);
}

TEST_CASE("the reference's keyword lists match the parser and the editor grammars") {
  const std::string reference = read_file(grammar_dir / "language.md");
  const std::string vim = read_file(grammar_dir / "editors" / "vim" / "syntax" / "triage.vim");
  const std::string textmate = read_file(grammar_dir / "editors" / "triage.tmLanguage.json");
  const std::vector<std::string> reserved = words_after(reference, "**Reserved words**");
  const std::vector<std::string> contextual = words_after(reference, "**Contextual keywords**");
  CHECK(reserved.size() == 22);
  CHECK(contextual.size() == 17);

  for (const std::string& word : reserved) {
    CAPTURE(word);
    const triage::source_file src("reserved.rules", "field " + word + ": bool\n");
    const triage::check_result result = triage::parse_and_check(src);
    REQUIRE_FALSE(result.issues.empty());
    CHECK(expectation(src, result.issues.front()) ==
          "1:7: error[reserved-word]: '" + word +
              "' is a reserved word and cannot be used as a field name");
    CHECK(has_word(vim, word));
    CHECK(has_word(textmate, word));
  }
  for (const std::string& word : contextual) {
    CAPTURE(word);
    // A contextual keyword names a field, an output and a label, and is used as each.
    const triage::source_file src("contextual.rules", "field " + word + ": bool\noutput o_" + word +
                                                          ": flag\n" + word + ": o_" + word +
                                                          " if " + word + "\n");
    const triage::check_result result = triage::parse_and_check(src);
    CHECK(all_diagnostics(src, result.issues) == "");
    CHECK(has_word(vim, word));
    CHECK(has_word(textmate, word));
  }
}

TEST_CASE("the reference's first example checks clean") {
  const std::string reference = read_file(grammar_dir / "language.md");
  const std::size_t section = reference.find("## 1. A policy at a glance");
  REQUIRE(section != std::string::npos);
  const std::size_t open = reference.find("```\n", section);
  const std::size_t close = reference.find("```", open + 4);
  REQUIRE(close != std::string::npos);
  const triage::source_file src("glance.rules", reference.substr(open + 4, close - open - 4));
  const triage::check_result result = triage::parse_and_check(src);
  CHECK(all_diagnostics(src, result.issues) == "");
  REQUIRE(result.ok());
  CHECK(result.value->tests.size() == 1);
}

TEST_CASE("the catalogue's examples for the analysis pass the front end cleanly") {
  // Their findings (overlaps, gaps, shadowed rules...) are the analysis's to report; to
  // the parser and the checker they are valid policies.
  const std::string catalogue = read_file(grammar_dir / "diagnostics.md");
  int examples = 0;
  for (const triage::diagnostic_code code : all_codes()) {
    if (reported_by_front_end(code)) continue;
    const std::string heading = fmt::format("\n## `{}`", triage::code_name(code));
    const std::size_t at = catalogue.find(heading);
    REQUIRE(at != std::string::npos);
    const std::size_t end = catalogue.find("\n## ", at + 1);
    const std::size_t open = catalogue.find("```\n", at);
    if (open == std::string::npos || open > end) continue;  // analysis-budget has none
    const std::size_t close = catalogue.find("```", open + 4);
    CAPTURE(triage::code_name(code));
    const triage::source_file src("example.rules", catalogue.substr(open + 4, close - open - 4));
    const triage::check_result result = triage::parse_and_check(src);
    CHECK(all_diagnostics(src, result.issues) == "");
    ++examples;
  }
  CHECK(examples == 6);
}
