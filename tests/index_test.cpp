// The evaluator's optimisation paths: the per-field row index must decide every ticket
// exactly as the plain ordered scan does, and both as the reference interpreter does.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "eval/runtime.hpp"
#include "triage/check.hpp"
#include "triage/parse.hpp"
#include "triage/policy.hpp"

#include "reference/policy_generator.cpp"
#include "reference/reference_interpreter.cpp"
#include "reference/compact_json.hpp"

namespace {

namespace ref = triage::reference;

// Restores the index switch when a test ends, whatever happens.
struct index_switch {
  explicit index_switch(triage::detail::row_index_mode mode) { triage::detail::set_row_index(mode); }
  ~index_switch() { triage::detail::set_row_index(triage::detail::row_index_mode::automatic); }
  index_switch(const index_switch&) = delete;
  index_switch& operator=(const index_switch&) = delete;
};

using triage::reference::compact_json;

using triage::detail::row_index_mode;

// Every way evaluation can go: the index with and without its exact-row shortcut, and the
// plain scan.
constexpr row_index_mode every_mode[] = {row_index_mode::always, row_index_mode::always_checked,
                                         row_index_mode::never};

// Runs `policies` random policies with `tickets` tickets each through the engine with the
// index on (with and without the shortcut for rows it decides exactly) and off, and
// compares all three with the reference interpreter and each other (decisions and traces).
// Returns the number of tickets compared; counts the outputs that have an index and the
// rows the index decides exactly.
std::size_t compare_paths(std::uint64_t seed, int policies, int tickets, std::size_t& indexed_outputs,
                          std::size_t& exact_rows) {
  std::size_t compared = 0;
  ref::policy_generator gen{seed};
  for (int pi = 0; pi < policies; ++pi) {
    const ref::generated_policy g = gen.make_policy();
    const triage::source_file source("generated.rules", g.text);
    const triage::parse_result parsed = triage::parse(source);
    REQUIRE(parsed.ok());
    triage::compile_result compiled = triage::compile(g.text, "generated.rules");
    REQUIRE(compiled.ok());
    const ref::interpreter interp{*parsed.tree};
    const auto& pol = compiled.value;
    for (const auto& out : triage::detail::policy_access::rt(*pol).outputs) {
      indexed_outputs += out.index.empty() ? 0 : 1;
      for (const auto& row : out.rows) exact_rows += row.index_exact && !out.index.empty() ? 1 : 0;
    }
    triage::ticket_decoder decoder{pol};
    triage::ticket t{pol};
    triage::decision indexed{pol}, checked{pol}, plain{pol};
    triage::evaluation_trace indexed_trace, checked_trace, plain_trace;
    for (int ti = 0; ti < tickets; ++ti) {
      const ref::generated_ticket gt = gen.make_ticket(g);
      REQUIRE_MESSAGE(decoder.decode(gt.json, t), decoder.error());
      {
        const index_switch on{row_index_mode::always};
        pol->evaluate(t, indexed, indexed_trace);
      }
      {
        const index_switch on_checked{row_index_mode::always_checked};
        pol->evaluate(t, checked, checked_trace);
      }
      {
        const index_switch off{row_index_mode::never};
        pol->evaluate(t, plain, plain_trace);
      }
      const std::string expected = interp.evaluate(gt.fields).to_json();
      INFO("seed ", g.seed, "\n", g.text, "\nticket ", gt.json);
      CHECK(compact_json(indexed.to_json()) == expected);
      CHECK(compact_json(checked.to_json()) == expected);
      CHECK(compact_json(plain.to_json()) == expected);
      for (std::uint32_t o = 0; o < pol->model().outputs.size(); ++o) {
        const auto a = indexed_trace.matched(pol->output_at(o));
        const auto b = checked_trace.matched(pol->output_at(o));
        const auto c = plain_trace.matched(pol->output_at(o));
        CHECK(std::vector<std::uint32_t>(a.begin(), a.end()) == std::vector<std::uint32_t>(c.begin(), c.end()));
        CHECK(std::vector<std::uint32_t>(b.begin(), b.end()) == std::vector<std::uint32_t>(c.begin(), c.end()));
      }
      ++compared;
    }
  }
  return compared;
}

}  // namespace

TEST_CASE("the row index decides random policies as the plain scan and the reference do") {
  std::size_t indexed_outputs = 0;
  std::size_t exact_rows = 0;
  CHECK(compare_paths(20261123, 60, 40, indexed_outputs, exact_rows) == 60u * 40u);
  CHECK(indexed_outputs > 30);  // the index path was really taken
  CHECK(exact_rows > 30);       // and so was the shortcut for rows it decides exactly
}

TEST_CASE("the row index narrows a first output to the rows an enum, bool or duration value allows") {
  const triage::compile_result r = triage::compile(
      "field urgency: enum { low, medium, high }\n"
      "field vip: bool\n"
      "field sla: duration\n"
      "output team: enum { a, b, c, d } first default d\n"
      "r1: team if urgency == low and sla < 1h -> a\n"
      "r2: team if urgency in [medium, high] and vip -> b\n"
      "r3: team if urgency is missing -> c\n"
      "r4: team if not vip and urgency == high -> c\n",
      "small.rules");
  REQUIRE(r.ok());
  const auto& pol = r.value;
  const triage::output_handle team = pol->output("team");
  for (const row_index_mode mode : every_mode) {
    CAPTURE(static_cast<int>(mode));
    const index_switch sw{mode};
    triage::ticket t{pol};
    triage::decision d{pol};
    pol->evaluate(t, d);  // everything missing: only r3
    CHECK(d.text(team) == "c");
    t.set(pol->field("urgency"), "low");
    t.set(pol->field("sla"), std::chrono::minutes{30});
    pol->evaluate(t, d);
    CHECK(d.text(team) == "a");
    t.set(pol->field("sla"), std::chrono::hours{1});  // just past r1's range
    pol->evaluate(t, d);
    CHECK(d.text(team) == "d");
    t.set(pol->field("urgency"), "high");
    pol->evaluate(t, d);  // vip missing: not r2, but r4 (`not vip` holds on a missing bool)
    CHECK(d.text(team) == "c");
    t.set(pol->field("vip"), true);
    pol->evaluate(t, d);
    CHECK(d.text(team) == "b");
    t.set(pol->field("urgency"), "medium");
    t.set(pol->field("vip"), false);
    pol->evaluate(t, d);
    CHECK(d.text(team) == "d");
  }
}

TEST_CASE("the row index narrows by a string field's value, and a string no rule names falls through") {
  const triage::compile_result r = triage::compile(
      "field client: string\n"
      "field issue: string\n"
      "output team: enum { a, b, c, d } first default d\n"
      "r1: team if client in [\"acme\", \"globex\"] and issue contains \"vpn\" -> a\n"
      "r2: team if client == \"initech\" -> b\n"
      "r3: team if client != \"acme\" -> c\n",
      "strings.rules");
  REQUIRE(r.ok());
  const auto& pol = r.value;
  const triage::output_handle team = pol->output("team");
  const triage::field_handle client = pol->field("client"), issue = pol->field("issue");
  for (const row_index_mode mode : every_mode) {
    CAPTURE(static_cast<int>(mode));
    const index_switch sw{mode};
    triage::ticket t{pol};
    triage::decision d{pol};
    pol->evaluate(t, d);  // client missing: `!=` is false too
    CHECK(d.text(team) == "d");
    t.set(client, "acme");
    t.set(issue, "My VPN is down");
    pol->evaluate(t, d);
    CHECK(d.text(team) == "a");
    t.set(issue, "printer");
    pol->evaluate(t, d);
    CHECK(d.text(team) == "d");
    t.set(client, "initech");
    pol->evaluate(t, d);
    CHECK(d.text(team) == "b");
    t.set(client, "umbrella");  // no rule names it
    pol->evaluate(t, d);
    CHECK(d.text(team) == "c");
    t.set(client, "Acme");      // `==` is exact: not acme
    t.set(issue, "vpn");
    pol->evaluate(t, d);
    CHECK(d.text(team) == "c");
  }
}

TEST_CASE("the string index finds each of hundreds of strings, colliding hashes included, and none it was not given") {
  for (const int count : {256, 257}) {  // 257 strings are more than an index takes: plain scan
    CAPTURE(count);
    std::string text = "field client: string\noutput owner: string first\n";
    // Strings built with += : GCC 12 warns falsely (-Wrestrict) on "o" + std::to_string(i).
    const auto name = [](const char* prefix, int i) {
      std::string s = prefix;
      s += std::to_string(i);
      return s;
    };
    for (int i = 0; i < count; ++i) {
      text += "owner if client == \"" + name("client_", i) + "\" -> \"" + name("o", i) + "\"\n";
    }
    const triage::compile_result r = triage::compile(text, "clients.rules");
    REQUIRE(r.ok());
    const auto& pol = r.value;
    const auto& index = triage::detail::policy_access::rt(*pol).outputs[0].index;
    CHECK(index.size() == (count <= 256 ? 1u : 0u));
    triage::ticket t{pol};
    triage::decision d{pol};
    for (int i = 0; i < count; ++i) {
      t.set(pol->field("client"), name("client_", i));
      pol->evaluate(t, d);
      REQUIRE(d.text(pol->output("owner")) == name("o", i));
    }
    for (const char* other : {"client_", "client_1000", "", "CLIENT_1"}) {
      t.set(pol->field("client"), other);
      pol->evaluate(t, d);
      CHECK_FALSE(d.present(pol->output("owner")));
    }
  }
}
