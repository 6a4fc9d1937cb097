// rulecheck test FILE... — runs the `test` blocks of policies.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string>
#include <variant>
#include <vector>

#include "cli.hpp"
#include "run_support.hpp"
#include "triage/policy.hpp"

namespace rulecheck {
namespace {

// Builds a test's ticket with the engine's typed setters. The checker has already typed
// every value for its field: an enum member is its index, a duration its seconds.
void set_given(const triage::policy& pol, triage::ticket& t, const triage::test_input& in) {
  const triage::field_handle f = pol.field_at(in.field);
  if (!f.valid() || in.values.empty()) return;
  const triage::scalar& v = in.values.front();
  switch (f.type()) {
    case triage::field_type::boolean:
      if (const bool* b = std::get_if<bool>(&v)) t.set_bool(f, *b);
      break;
    case triage::field_type::integer:
      if (const std::int64_t* i = std::get_if<std::int64_t>(&v)) t.set_int(f, *i);
      break;
    case triage::field_type::number:
      if (const double* x = std::get_if<double>(&v)) t.set_number(f, *x);
      if (const std::int64_t* i = std::get_if<std::int64_t>(&v)) t.set_int(f, *i);
      break;
    case triage::field_type::duration:
      if (const std::int64_t* i = std::get_if<std::int64_t>(&v)) {
        t.set_duration(f, std::chrono::seconds{*i});
      }
      break;
    case triage::field_type::string:
      if (const std::string* s = std::get_if<std::string>(&v)) t.set_text(f, *s);
      break;
    case triage::field_type::enumeration:
      if (const std::int64_t* i = std::get_if<std::int64_t>(&v)) {
        t.set_member(f, static_cast<std::uint32_t>(*i));
      }
      if (const std::string* s = std::get_if<std::string>(&v)) t.set_text(f, *s);
      break;
    case triage::field_type::tags: {
      std::vector<std::string_view> tags;
      for (const triage::scalar& tag : in.values) {
        if (const std::string* s = std::get_if<std::string>(&tag)) tags.push_back(*s);
      }
      t.set_tags(f, tags);
      break;
    }
  }
}

// Returns a test's ticket as a JSON object, written from its `given` clause rather than
// from the engine's ticket: the engine keeps only the tags the policy tests, and an author
// reading a failure must see the ticket they wrote.
std::string given_json(const triage::model& m, const triage::test_def& test) {
  std::string out = "{";
  for (const triage::test_input& in : test.given) {
    const triage::field_def& def = m.fields[in.field];
    if (out.size() > 1) out += ", ";
    append_json_string(out, def.name);
    out += ": ";
    std::vector<std::string> parts;
    for (const triage::scalar& v : in.values) {
      std::string part;
      if (const std::string* text = std::get_if<std::string>(&v)) {
        append_json_string(part, *text);
      } else if (def.type == triage::field_type::duration) {
        append_json_string(part, triage::format_duration(std::get<std::int64_t>(v)));
      } else if (def.type == triage::field_type::enumeration) {
        append_json_string(part, triage::value_text(m, v, def.enum_index));
      } else {
        part = triage::value_text(m, v);  // bool, int and number print as JSON does
      }
      parts.push_back(std::move(part));
    }
    out += def.type == triage::field_type::tags ? fmt::format("[{}]", fmt::join(parts, ", "))
                                                : fmt::format("{}", fmt::join(parts, ", "));
  }
  out += '}';
  return out;
}

// Returns the expected value of an output as policy text, the way decision_value_text
// shows the actual one, so that equal values print alike.
std::string expected_text(const triage::model& m, const triage::test_expectation& e) {
  const triage::output_def& def = m.outputs[e.output];
  if (e.expect_missing) return "missing";
  std::vector<std::string> parts;
  for (const triage::scalar& v : e.values) parts.push_back(triage::value_text(m, v, def.enum_index));
  if (def.policy == triage::hit_policy::collect) return fmt::format("[{}]", fmt::join(parts, ", "));
  return parts.empty() ? std::string("missing") : parts.front();
}

// Returns true when the decision meets one expectation.
bool meets(const triage::policy& pol, const triage::decision& d, const triage::test_expectation& e) {
  const triage::output_def& def = pol.model().outputs[e.output];
  const triage::output_handle o = pol.output_at(e.output);
  if (e.expect_missing) return !d.present(o);
  if (def.policy == triage::hit_policy::collect) {
    // A set: the same values, whatever their order (the decision has no duplicates).
    std::vector<std::string> expected;
    for (const triage::scalar& v : e.values) {
      expected.push_back(triage::value_text(pol.model(), v, def.enum_index));
    }
    std::sort(expected.begin(), expected.end());
    expected.erase(std::unique(expected.begin(), expected.end()), expected.end());
    std::vector<std::string> actual;
    for (const std::string_view v : d.collected(o)) {
      actual.push_back(def.type == triage::output_type::string
                           ? triage::value_text(pol.model(), triage::scalar(std::string(v)))
                           : std::string(v));
    }
    std::sort(actual.begin(), actual.end());
    return expected == actual;
  }
  if (e.values.empty()) return false;
  if (def.type != triage::output_type::flag && !d.present(o)) return false;
  const triage::scalar& v = e.values.front();
  switch (def.type) {
    case triage::output_type::flag:
      return std::holds_alternative<bool>(v) && std::get<bool>(v) == d.flag(o);
    case triage::output_type::enumeration:
      return std::holds_alternative<std::int64_t>(v) &&
             static_cast<std::uint64_t>(std::get<std::int64_t>(v)) == d.member(o);
    case triage::output_type::string:
      return std::holds_alternative<std::string>(v) && std::get<std::string>(v) == d.text(o);
    case triage::output_type::integer:
      return std::holds_alternative<std::int64_t>(v) && std::get<std::int64_t>(v) == d.integer(o);
  }
  return false;
}

struct tally {
  std::size_t passed = 0;
  std::size_t failed = 0;
};

// Runs every test of one policy, printing each failure.
void run_tests(const std::shared_ptr<const triage::policy>& pol, std::string& report,
               tally& count) {
  const triage::model& m = pol->model();
  triage::ticket t{pol};
  triage::decision d{pol};
  for (const triage::test_def& test : m.tests) {
    t.reset();
    for (const triage::test_input& in : test.given) set_given(*pol, t, in);
    const triage::position at = pol->source().position_of(test.where.begin);
    // The file and test names are the user's text: escaped, like every diagnostic.
    const std::string head =
        fmt::format("{}:{}:{}: test '{}' failed", terminal_text(pol->source().name()), at.line,
                    at.column, terminal_text(test.name));
    if (const std::optional<std::string> invalid = pol->validate(t)) {
      ++count.failed;
      report += fmt::format("{}: invalid ticket: {}\n  ticket: {}\n", head, *invalid,
                            given_json(m, test));
      continue;
    }
    pol->evaluate(t, d);
    std::string differences;
    for (const triage::test_expectation& e : test.expect) {
      if (meets(*pol, d, e)) continue;
      differences += fmt::format("  {}: expected {}, found {}\n", m.outputs[e.output].name,
                                 expected_text(m, e), decision_value_text(*pol, d, e.output));
    }
    if (differences.empty()) {
      ++count.passed;
    } else {
      ++count.failed;
      report += head + "\n" + differences;
    }
  }
}

int run_test(const command& self, std::span<const std::string_view> args) {
  const parsed_args parsed = parse_args(args, {});
  if (!parsed.error.empty()) return usage_error(self, parsed.error);
  if (parsed.help) {
    print_help(self);
    return exit_ok;
  }
  if (parsed.operands.empty()) return usage_error(self, "no policy file given");

  // Compile every file first: one that does not compile means the tests cannot all run.
  std::vector<std::shared_ptr<const triage::policy>> policies;
  bool broken = false;
  for (const std::string_view path : parsed.operands) {
    std::shared_ptr<const triage::policy> pol = load_policy(path);
    if (!pol) broken = true;
    policies.push_back(std::move(pol));
  }
  if (broken) return exit_failure;

  tally count;
  std::string report;
  for (const auto& pol : policies) run_tests(pol, report, count);
  report += fmt::format("{} passed, {} failed\n", count.passed, count.failed);
  write_stdout(report);
  return count.failed == 0 ? exit_ok : exit_problems;
}

}  // namespace

const command test_command{
    .name = "test",
    .summary = "run the test blocks of policies",
    .usage = "rulecheck test FILE...",
    .help =
        "Runs every 'test' block of every policy FILE: builds the ticket its 'given' line\n"
        "describes, decides it, and compares each output its 'expect' line names (a\n"
        "collect output compares as a set; 'OUTPUT is missing' expects no value).\n"
        "\n"
        "Each failure is printed on stdout with the test's location and name, then one\n"
        "line per output that differs:\n"
        "  routing.rules:40:1: test 'VPN outage' failed\n"
        "    priority: expected P1, found P2\n"
        "A test whose ticket is not valid (a required field is not given) fails with the\n"
        "reason and the ticket. The last line counts all files: 'N passed, N failed'.\n"
        "\n"
        "options:\n"
        "  -h, --help  show this help\n"
        "\n"
        "exit status: 0 every test passed, 1 some test failed, 2 bad usage, a file that\n"
        "cannot be read or a policy that does not compile (its diagnostics on stderr)\n",
    .run = run_test,
};

}  // namespace rulecheck
