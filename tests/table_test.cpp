// Decision tables: normal form, negation and missing values, cells and their text, limits.
//
// These tests build checked models by hand (the checker's output), so they pin down the
// table itself independent of the parser's spelling of conditions.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "triage/table.hpp"

namespace {

using triage::atom_op;
using triage::expr;
using triage::scalar;
using triage::subject_ref;

constexpr std::int64_t int_min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t int_max = std::numeric_limits<std::int64_t>::max();

// Builds a small checked model: the routing example's schema and outputs.
struct model_builder {
  triage::model m;
  std::uint32_t issue, urgency, impact, sla, tags, repeat_client, reopened, score;
  std::uint32_t priority, urgent, notify;

  model_builder() {
    m.enums.push_back({{"low", "medium", "high", "critical"}});  // 0: urgency
    m.enums.push_back({{"low", "medium", "high"}});              // 1: impact
    m.enums.push_back({{"P1", "P2", "P3", "P4"}});               // 2: priority
    m.enums.push_back({{"manager", "on_call", "account_owner"}});  // 3: notify
    issue = field("issue", triage::field_type::string);
    urgency = field("urgency", triage::field_type::enumeration, 0);
    impact = field("impact", triage::field_type::enumeration, 1);
    sla = field("sla", triage::field_type::duration);
    tags = field("tags", triage::field_type::tags);
    repeat_client = field("repeat_client", triage::field_type::boolean);
    reopened = field("reopened", triage::field_type::integer);
    score = field("score", triage::field_type::number);
    priority = output("priority", triage::output_type::enumeration, triage::hit_policy::first, 2);
    urgent = output("urgent", triage::output_type::flag, triage::hit_policy::any);
    notify = output("notify", triage::output_type::enumeration, triage::hit_policy::collect, 3);
  }

  std::uint32_t field(const char* name, triage::field_type type, std::uint32_t e = triage::no_index) {
    triage::field_def f;
    f.name = name;
    f.type = type;
    f.enum_index = e;
    m.fields.push_back(f);
    return static_cast<std::uint32_t>(m.fields.size() - 1);
  }
  std::uint32_t output(const char* name, triage::output_type type, triage::hit_policy hit,
                       std::uint32_t e = triage::no_index) {
    triage::output_def o;
    o.name = name;
    o.type = type;
    o.policy = hit;
    o.enum_index = e;
    m.outputs.push_back(o);
    m.evaluation_order.push_back(static_cast<std::uint32_t>(m.outputs.size() - 1));
    return static_cast<std::uint32_t>(m.outputs.size() - 1);
  }
  static expr test(subject_ref s, atom_op op, std::vector<scalar> values = {}) {
    expr e;
    e.of = expr::kind::atom;
    e.test.subject = s;
    e.test.op = op;
    e.test.values = std::move(values);
    return e;
  }
  expr f(std::uint32_t field_index, atom_op op, std::vector<scalar> values = {}) const {
    return test({subject_ref::kind::field, field_index}, op, std::move(values));
  }
  expr o(std::uint32_t output_index, atom_op op, std::vector<scalar> values = {}) const {
    return test({subject_ref::kind::output, output_index}, op, std::move(values));
  }
  static expr combine(expr::kind k, std::vector<expr> operands) {
    expr e;
    e.of = k;
    e.operands = std::move(operands);
    return e;
  }
  static expr all(std::vector<expr> xs) { return combine(expr::kind::all_of, std::move(xs)); }
  static expr any(std::vector<expr> xs) { return combine(expr::kind::any_of, std::move(xs)); }
  static expr negate(expr x) { return combine(expr::kind::negate, {std::move(x)}); }
  std::uint32_t let(const char* name, expr condition) {
    m.lets.push_back({name, std::move(condition), {}});
    return static_cast<std::uint32_t>(m.lets.size() - 1);
  }
  static expr use(std::uint32_t let_index) {
    expr e;
    e.of = expr::kind::let_ref;
    e.let_index = let_index;
    return e;
  }
  std::uint32_t rule(std::uint32_t out, expr condition, std::optional<scalar> value = std::nullopt) {
    triage::rule_def r;
    r.output = out;
    r.name = "routing.rules:" + std::to_string(m.rules.size() + 1);
    r.condition = std::move(condition);
    r.value = std::move(value);
    m.rules.push_back(r);
    m.outputs[out].rules.push_back(static_cast<std::uint32_t>(m.rules.size() - 1));
    return static_cast<std::uint32_t>(m.rules.size() - 1);
  }

  triage::decision_table table(const triage::limits& lim = {}) const {
    triage::table_result r = triage::build_table(m, lim);
    REQUIRE(r.ok());
    return std::move(*r.value);
  }
  // The text of every cell of a row, as "subject: text" joined by " | ".
  std::string row_text(const triage::decision_table& t, const triage::table_row& row) const {
    std::string out;
    for (const triage::cell& c : row.cells) {
      if (!out.empty()) out += " | ";
      out += std::string(triage::subject_name(m, c.subject)) + ": " + triage::cell_text(c, m, t);
    }
    return out;
  }
};

scalar i64(std::int64_t v) { return scalar{v}; }

}  // namespace

TEST_CASE("a comparison becomes one row with one exact cell that rejects missing values") {
  model_builder b;
  b.rule(b.urgent, b.f(b.sla, atom_op::ge, {i64(7200)}));
  const triage::decision_table t = b.table();
  REQUIRE(t.outputs.size() == 3);
  const triage::output_table& out = t.outputs[b.urgent];
  CHECK(out.policy == triage::hit_policy::any);
  REQUIRE(out.rows.size() == 1);
  const triage::table_row& row = out.rows[0];
  CHECK(row.rule == 0);
  CHECK(row.disjunct == 0);
  CHECK_FALSE(row.contradictory);
  REQUIRE(row.cells.size() == 1);
  const triage::cell& c = row.cells[0];
  CHECK(c.kind == triage::cell_kind::integer);
  CHECK_FALSE(c.accepts_missing);
  CHECK(c.accepts_present);
  CHECK(c.ints == std::vector<triage::int_range>{{7200, int_max}});
  CHECK(triage::cell_text(c, b.m, t) == ">= 2h");
  CHECK(out.columns == std::vector<subject_ref>{{subject_ref::kind::field, b.sla}});
}

TEST_CASE("a negated comparison accepts missing values and the complement of its values") {
  model_builder b;
  b.rule(b.urgent, b.negate(b.f(b.sla, atom_op::lt, {i64(7200)})));
  const triage::decision_table t = b.table();
  const triage::cell& c = t.outputs[b.urgent].rows.at(0).cells.at(0);
  CHECK(c.accepts_missing);
  CHECK(c.ints == std::vector<triage::int_range>{{7200, int_max}});
  CHECK(triage::cell_text(c, b.m, t) == ">= 2h or missing");
}

TEST_CASE("'!=' and 'not in' reject missing values and their negations accept them") {
  model_builder b;
  b.rule(b.urgent, b.f(b.urgency, atom_op::ne, {i64(0)}));
  b.rule(b.urgent, b.negate(b.f(b.urgency, atom_op::ne, {i64(0)})));
  b.rule(b.urgent, b.f(b.urgency, atom_op::not_in, {i64(0), i64(1)}));
  b.rule(b.urgent, b.negate(b.f(b.urgency, atom_op::not_in, {i64(0), i64(1)})));
  const triage::decision_table t = b.table();
  const auto& rows = t.outputs[b.urgent].rows;
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].cells[0].members == std::vector<std::uint32_t>{1, 2, 3});
  CHECK_FALSE(rows[0].cells[0].accepts_missing);
  CHECK(b.row_text(t, rows[0]) == "urgency: in {medium, high, critical}");
  CHECK(b.row_text(t, rows[1]) == "urgency: == low or missing");
  CHECK(b.row_text(t, rows[2]) == "urgency: in {high, critical}");
  CHECK(b.row_text(t, rows[3]) == "urgency: in {low, medium} or missing");
}

TEST_CASE("'or' inside 'and' becomes one row per disjunct, with the rule and its value") {
  model_builder b;
  // priority if (urgency == high or impact == high) and sla < 2h -> P1
  b.rule(b.priority,
         b.all({b.any({b.f(b.urgency, atom_op::eq, {i64(2)}), b.f(b.impact, atom_op::eq, {i64(2)})}),
                b.f(b.sla, atom_op::lt, {i64(7200)})}),
         i64(0));
  const triage::decision_table t = b.table();
  const auto& rows = t.outputs[b.priority].rows;
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].rule == 0);
  CHECK(rows[1].rule == 0);
  CHECK(rows[0].disjunct == 0);
  CHECK(rows[1].disjunct == 1);
  CHECK(rows[1].value == std::optional<scalar>{i64(0)});
  CHECK(b.row_text(t, rows[0]) == "urgency: == high | sla: < 2h");
  CHECK(b.row_text(t, rows[1]) == "impact: == high | sla: < 2h");
  CHECK(t.outputs[b.priority].columns.size() == 3);
  CHECK(t.row_count() == 2);
}

TEST_CASE("negation is pushed down through 'and' and 'or' with De Morgan's laws") {
  model_builder b;
  // not (urgency == high and sla < 2h)  →  urgency != high (or missing)  |  sla >= 2h (or missing)
  b.rule(b.urgent, b.negate(b.all({b.f(b.urgency, atom_op::eq, {i64(2)}), b.f(b.sla, atom_op::lt, {i64(7200)})})));
  // not (repeat_client or reopened > 0)  →  one row: both negated
  b.rule(b.urgent, b.negate(b.any({b.f(b.repeat_client, atom_op::truthy), b.f(b.reopened, atom_op::gt, {i64(0)})})));
  // not not sla is missing
  b.rule(b.urgent, b.negate(b.negate(b.f(b.sla, atom_op::is_missing))));
  const triage::decision_table t = b.table();
  const auto& rows = t.outputs[b.urgent].rows;
  REQUIRE(rows.size() == 4);
  CHECK(b.row_text(t, rows[0]) == "urgency: in {low, medium, critical} or missing");
  CHECK(b.row_text(t, rows[1]) == "sla: >= 2h or missing");
  CHECK(b.row_text(t, rows[2]) == "repeat_client: false or missing | reopened: <= 0 or missing");
  CHECK(b.row_text(t, rows[3]) == "sla: missing");
}

TEST_CASE("lets are expanded where they are used, in either polarity") {
  model_builder b;
  const std::uint32_t vip = b.let("vip", b.f(b.tags, atom_op::has_any, {scalar{"vip"}, scalar{"exec"}}));
  b.rule(b.urgent, b.all({b.use(vip), b.f(b.sla, atom_op::lt, {i64(8 * 3600)})}));
  b.rule(b.urgent, b.negate(b.use(vip)));
  const triage::decision_table t = b.table();
  const auto& rows = t.outputs[b.urgent].rows;
  REQUIRE(rows.size() == 2);
  CHECK(b.row_text(t, rows[0]) == "sla: < 8h | tags: has any {vip, exec}");
  CHECK(b.row_text(t, rows[1]) == "tags: not has vip and not has exec or missing");
  CHECK(t.symbols == std::vector<std::string>{"vip", "exec"});
}

TEST_CASE("cells on the same subject are intersected, and contradictions are marked") {
  model_builder b;
  b.rule(b.urgent, b.all({b.f(b.sla, atom_op::ge, {i64(3600)}), b.f(b.sla, atom_op::lt, {i64(7200)})}));
  b.rule(b.urgent, b.all({b.f(b.sla, atom_op::lt, {i64(3600)}), b.f(b.sla, atom_op::gt, {i64(7200)})}));
  b.rule(b.urgent, b.all({b.f(b.sla, atom_op::is_missing), b.f(b.sla, atom_op::is_present)}));
  b.rule(b.urgent, b.all({b.f(b.tags, atom_op::has, {scalar{"vpn"}}),
                          b.negate(b.f(b.tags, atom_op::has_any, {scalar{"vpn"}, scalar{"dns"}}))}));
  b.rule(b.urgent, b.all({b.f(b.issue, atom_op::in, {scalar{"a"}, scalar{"b"}}), b.f(b.issue, atom_op::ne, {scalar{"a"}})}));
  const triage::decision_table t = b.table();
  const auto& rows = t.outputs[b.urgent].rows;
  REQUIRE(rows.size() == 5);
  REQUIRE(rows[0].cells.size() == 1);
  CHECK(rows[0].cells[0].ints == std::vector<triage::int_range>{{3600, 7199}});
  CHECK(b.row_text(t, rows[0]) == "sla: >= 1h and < 2h");
  CHECK_FALSE(rows[0].contradictory);
  CHECK(rows[1].contradictory);
  CHECK(b.row_text(t, rows[1]) == "sla: never");
  CHECK(rows[2].contradictory);
  CHECK(rows[3].contradictory);
  CHECK_FALSE(rows[4].contradictory);
  CHECK(b.row_text(t, rows[4]) == "issue: == \"b\"");
}

TEST_CASE("an int compared with a number literal gets exact integer bounds") {
  model_builder b;
  b.rule(b.urgent, b.f(b.reopened, atom_op::lt, {scalar{2.5}}));
  b.rule(b.urgent, b.f(b.reopened, atom_op::gt, {scalar{2.0}}));
  b.rule(b.urgent, b.f(b.reopened, atom_op::eq, {scalar{2.5}}));
  b.rule(b.urgent, b.f(b.reopened, atom_op::le, {scalar{1e300}}));
  b.rule(b.urgent, b.f(b.reopened, atom_op::ne, {i64(3)}));
  b.rule(b.urgent, b.f(b.reopened, atom_op::in, {i64(1), i64(3)}));
  const triage::decision_table t = b.table();
  const auto& rows = t.outputs[b.urgent].rows;
  REQUIRE(rows.size() == 6);
  CHECK(rows[0].cells[0].ints == std::vector<triage::int_range>{{int_min, 2}});
  CHECK(rows[1].cells[0].ints == std::vector<triage::int_range>{{3, int_max}});
  CHECK(rows[2].contradictory);
  CHECK(b.row_text(t, rows[3]) == "reopened: present");
  CHECK(b.row_text(t, rows[4]) == "reopened: != 3");
  CHECK(b.row_text(t, rows[5]) == "reopened: in {1, 3}");
}

TEST_CASE("number cells keep open and closed ends") {
  model_builder b;
  b.rule(b.urgent, b.f(b.score, atom_op::gt, {scalar{0.5}}));
  b.rule(b.urgent, b.negate(b.f(b.score, atom_op::gt, {scalar{0.5}})));
  b.rule(b.urgent, b.f(b.score, atom_op::ne, {scalar{1.0}}));
  b.rule(b.urgent, b.all({b.f(b.score, atom_op::ge, {scalar{1.0}}), b.f(b.score, atom_op::le, {scalar{1.0}})}));
  const triage::decision_table t = b.table();
  const auto& rows = t.outputs[b.urgent].rows;
  CHECK(b.row_text(t, rows[0]) == "score: > 0.5");
  CHECK(b.row_text(t, rows[1]) == "score: <= 0.5 or missing");
  CHECK(b.row_text(t, rows[2]) == "score: != 1.0");
  CHECK(b.row_text(t, rows[3]) == "score: == 1.0");
}

TEST_CASE("string cells hold equality sets, excluded sets and substring tests") {
  model_builder b;
  b.rule(b.urgent, b.all({b.f(b.issue, atom_op::contains, {scalar{"VPN"}}),
                          b.negate(b.f(b.issue, atom_op::starts_with, {scalar{"re:"}}))}));
  b.rule(b.urgent, b.f(b.issue, atom_op::not_in, {scalar{"x"}, scalar{"y"}}));
  b.rule(b.urgent, b.all({b.f(b.issue, atom_op::ends_with, {scalar{"down"}}),
                          b.negate(b.f(b.issue, atom_op::ends_with, {scalar{"DOWN"}}))}));
  b.rule(b.urgent, b.all({b.f(b.issue, atom_op::in, {scalar{"vpn down"}, scalar{"wifi"}}),
                          b.f(b.issue, atom_op::contains, {scalar{"VPN"}})}));
  const triage::decision_table t = b.table();
  const auto& rows = t.outputs[b.urgent].rows;
  CHECK(b.row_text(t, rows[0]) == "issue: contains \"VPN\" and not starts_with \"re:\"");
  CHECK(b.row_text(t, rows[1]) == "issue: not in {\"x\", \"y\"}");
  CHECK(rows[2].contradictory);  // case-insensitive: a test and its own negation
  CHECK(b.row_text(t, rows[3]) == "issue: == \"vpn down\"");
}

TEST_CASE("tag cells hold required, forbidden, at-least-one-of and not-all-of groups") {
  model_builder b;
  b.rule(b.urgent, b.f(b.tags, atom_op::has_all, {scalar{"vpn"}, scalar{"wifi"}}));
  b.rule(b.urgent, b.negate(b.f(b.tags, atom_op::has_all, {scalar{"vpn"}, scalar{"wifi"}})));
  b.rule(b.urgent, b.all({b.f(b.tags, atom_op::has_any, {scalar{"vpn"}, scalar{"dns"}}),
                          b.negate(b.f(b.tags, atom_op::has, {scalar{"dns"}}))}));
  b.rule(b.urgent, b.f(b.tags, atom_op::is_present));
  const triage::decision_table t = b.table();
  const auto& rows = t.outputs[b.urgent].rows;
  CHECK(b.row_text(t, rows[0]) == "tags: has vpn and has wifi");
  CHECK(b.row_text(t, rows[1]) == "tags: not has all {vpn, wifi} or missing");
  // `has any [vpn, dns]` without dns leaves vpn required.
  CHECK(b.row_text(t, rows[2]) == "tags: has vpn and not has dns");
  CHECK(b.row_text(t, rows[3]) == "tags: present");
}

TEST_CASE("outputs are subjects: flags as booleans, collect outputs as tag sets") {
  model_builder b;
  b.rule(b.notify, b.all({b.o(b.urgent, atom_op::truthy), b.o(b.priority, atom_op::eq, {i64(0)})}), i64(1));
  b.rule(b.notify, b.o(b.priority, atom_op::is_missing), i64(0));
  b.rule(b.urgent, b.o(b.notify, atom_op::has, {i64(1)}));
  const triage::decision_table t = b.table();
  CHECK(b.row_text(t, t.outputs[b.notify].rows[0]) == "priority: == P1 | urgent: true");
  CHECK(b.row_text(t, t.outputs[b.notify].rows[1]) == "priority: missing");
  CHECK(b.row_text(t, t.outputs[b.urgent].rows[0]) == "notify: has on_call");
  CHECK(t.outputs[b.notify].columns ==
        std::vector<subject_ref>{{subject_ref::kind::output, b.priority}, {subject_ref::kind::output, b.urgent}});
}

TEST_CASE("durations and values print as policy text") {
  CHECK(triage::format_duration(0) == "0s");
  CHECK(triage::format_duration(5400) == "1h30m");
  CHECK(triage::format_duration(-900) == "-15m");
  CHECK(triage::format_duration(604800 + 86400 + 1) == "1w1d1s");
  CHECK(triage::format_duration(int_min) == "-15250284452471w3d15h30m8s");
  model_builder b;
  CHECK(triage::value_text(b.m, i64(2), 2) == "P3");
  CHECK(triage::value_text(b.m, i64(90), triage::no_index, true) == "1m30s");
  CHECK(triage::value_text(b.m, scalar{"say \"hi\""}) == "\"say \\\"hi\\\"\"");
  CHECK(triage::value_text(b.m, scalar{2.0}) == "2.0");
  CHECK(triage::value_text(b.m, scalar{true}) == "true");
}

TEST_CASE("a rule past the row limit is a limit-exceeded error naming the limit and the rule") {
  model_builder b;
  b.rule(b.urgent, b.f(b.repeat_client, atom_op::truthy));
  // (a or b) and (c or d) and (e or f): 8 rows.
  std::vector<expr> factors;
  for (int k = 0; k < 3; ++k) {
    factors.push_back(b.any({b.f(b.reopened, atom_op::eq, {i64(k)}), b.f(b.sla, atom_op::eq, {i64(k)})}));
  }
  b.rule(b.urgent, b.all(factors));
  b.m.rules[1].name = "big";
  b.m.rules[1].where = {40, 60};
  triage::limits lim;
  SUBCASE("within the limit") {
    lim.max_table_rows = 9;  // 1 + 8
    const triage::table_result r = triage::build_table(b.m, lim);
    REQUIRE(r.ok());
    CHECK(r.value->row_count() == 9);
  }
  SUBCASE("past it") {
    lim.max_table_rows = 8;
    const triage::table_result r = triage::build_table(b.m, lim);
    CHECK_FALSE(r.ok());
    REQUIRE(r.issues.size() == 1);
    CHECK(r.issues[0].code == triage::diagnostic_code::limit_exceeded);
    CHECK(r.issues[0].level == triage::severity::error);
    CHECK(r.issues[0].where == triage::span{40, 60});
    CHECK(r.issues[0].message ==
          "rule 'big' expands to more decision-table rows than the limit max_table_rows (8)");
  }
}

TEST_CASE("long chains of lets neither overflow the stack nor blow up") {
  model_builder b;
  // let l0 = sla < 2h; let l(k) = l(k-1) and l(k-1): 2^k atoms if expanded naively.
  b.let("l0", b.f(b.sla, atom_op::lt, {i64(7200)}));
  for (std::uint32_t k = 1; k < 100'000; ++k) {
    b.let("l", b.all({b.use(k - 1), b.use(k - 1)}));
  }
  b.rule(b.urgent, b.use(99'999));
  b.rule(b.urgent, b.negate(b.use(99'999)));
  const triage::decision_table t = b.table();
  REQUIRE(t.outputs[b.urgent].rows.size() == 2);
  CHECK(b.row_text(t, t.outputs[b.urgent].rows[0]) == "sla: < 2h");
  CHECK(b.row_text(t, t.outputs[b.urgent].rows[1]) == "sla: >= 2h or missing");
}

TEST_CASE("an exponential normal form stops at the limit instead of exhausting memory") {
  model_builder b;
  // let l(k) = (l(k-1) or tags has "a<k>") and (l(k-1) or tags has "b<k>"): the rows of
  // l(k) are about the square of those of l(k-1).
  b.let("l0", b.f(b.tags, atom_op::has, {scalar{"a0"}}));
  for (std::uint32_t k = 1; k < 64; ++k) {
    const std::string n = std::to_string(k);
    b.let("l", b.all({b.any({b.use(k - 1), b.f(b.tags, atom_op::has, {scalar{std::string(1, 'a').append(n)}})}),
                      b.any({b.use(k - 1), b.f(b.tags, atom_op::has, {scalar{std::string(1, 'b').append(n)}})})}));
  }
  b.rule(b.urgent, b.use(63));
  const triage::table_result r = triage::build_table(b.m);
  CHECK_FALSE(r.ok());
  REQUIRE(r.issues.size() == 1);
  CHECK(r.issues[0].code == triage::diagnostic_code::limit_exceeded);
}
