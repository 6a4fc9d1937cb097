// Fuzz target: the input is a policy's text. It goes through every stage a host or
// `rulecheck check` runs — parse, check, compile (with and without the proofs of `unique`
// and `complete` outputs), analyze — and its diagnostics are rendered as text, JSON Lines
// and SARIF. Besides crashes and sanitizer reports, it fails when:
// - a stage's result disagrees with its diagnostics (ok() iff no error);
// - a diagnostic has no message or a span outside the text;
// - rendered JSON (each JSON line, the SARIF document) is not valid JSON and UTF-8;
// - rendered text holds a raw control character (terminal escapes must print escaped).
//
// One input in four (by its first byte) runs with limits so small that its text meets
// them; the analysis budgets are small so that every input stays fast. The policy is
// parsed and checked once and its model compiled both ways, with and without the proofs.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "fuzz/fuzz_check.hpp"
#include "triage/analyze.hpp"
#include "triage/check.hpp"
#include "triage/policy.hpp"
#include "triage/render.hpp"

namespace {

using triage_fuzz::fail;

void require_consistent(const triage::source_file& src, const triage::diagnostics& issues,
                        bool ok, const char* stage) {
  if (ok == triage::has_errors(issues)) {
    fail(std::string(stage) + (ok ? " succeeded with an error" : " failed without an error"));
  }
  for (const triage::diagnostic& d : issues) {
    if (d.message.empty()) fail(std::string(stage) + ": a diagnostic without a message");
    if (d.where.begin > d.where.end || d.where.end > src.text().size()) {
      fail(std::string(stage) + ": span [" + std::to_string(d.where.begin) + ", " +
           std::to_string(d.where.end) + ") outside the text: " + d.message);
    }
  }
}

void render_all(const triage::source_file& src, const triage::diagnostics& issues,
                std::uint8_t which) {
  const std::string text = triage::render_text(src, issues);
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\n') || byte == 0x7f) {
      fail("render_text printed the raw control character " + std::to_string(byte) + ":\n" + text);
    }
  }
  which = static_cast<std::uint8_t>(which / 4 % 4);  // the low bits chose the limits
  if (which == 0) (void)triage::render_text(src, issues, {.color = true});
  if (which == 1) {
    const triage::file_diagnostics files[] = {{&src, &issues}};
    triage_fuzz::require_json(triage::render_sarif(files), "the SARIF document");
  }
  if (which < 2) return;
  const std::string lines = triage::render_json_lines(src, issues);
  for (std::size_t start = 0; start < lines.size();) {
    const std::size_t end = lines.find('\n', start);
    if (end == std::string::npos) fail("render_json_lines: the last line has no line end");
    triage_fuzz::require_json(lines.substr(start, end - start), "a JSON line");
    start = end + 1;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::uint8_t first = size > 0 ? data[0] : 0;
  triage::limits lim;
  if (first % 4 == 0) {
    lim.max_file_bytes = 200;
    lim.max_rules = 3;
    lim.max_nesting = 3;
    lim.max_string_bytes = 4;
    lim.max_table_rows = 8;
  }
  const triage::source_file src{"fuzz.rules", std::string(text)};

  // Parsed and checked once; the model is then compiled both ways: with the proofs of
  // `unique` and `complete` outputs (what `compile` runs for a host), and without them,
  // followed by the whole analysis (what `rulecheck check` runs).
  triage::check_result checked = triage::parse_and_check(src, lim);
  require_consistent(src, checked.issues, checked.ok(), "parse_and_check");
  triage::diagnostics issues = std::move(checked.issues);
  if (checked.value) {
    const triage::compile_result compiled = triage::compile_model(*checked.value, src, {}, lim);
    require_consistent(src, compiled.issues, compiled.ok(), "compile_model");
    if (compiled.ok()) {
      // An empty ticket is decided whether valid or not.
      const triage::ticket t{compiled.value};
      triage::decision d{compiled.value};
      (void)compiled.value->validate(t);
      compiled.value->evaluate(t, d);
      triage_fuzz::require_json(d.to_json(), "a decision");
    }
    triage::compile_result unproven =
        triage::compile_model_unproven(std::move(*checked.value), src, {}, lim);
    require_consistent(src, unproven.issues, unproven.ok(), "compile_model_unproven");
    issues.insert(issues.end(), unproven.issues.begin(), unproven.issues.end());
    if (unproven.ok()) {
      triage::analysis_options options;
      options.max_tickets_per_output = 2'000;
      options.max_rule_checks_per_output = 50'000;
      const triage::diagnostics found = triage::analyze(unproven.value, options);
      require_consistent(src, found, !triage::has_errors(found), "analyze");
      for (const triage::diagnostic& d : found) {
        if (!d.example_json.empty()) triage_fuzz::require_json(d.example_json, "an example ticket");
      }
      issues.insert(issues.end(), found.begin(), found.end());
    }
  }
  // Rendering is a third of the work: text always, and one of the other forms by the
  // input's first byte, so each form still sees every kind of input.
  render_all(src, issues, first);
  return 0;
}
