// The parser: source text → syntax tree, and every way a text can fail to be one.
#include "triage/parse.hpp"
#include "parse/grammar.hpp"
#include "spec_example.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using triage::diagnostic_code;
namespace ast = triage::ast;

// A parsed text, kept together with its source so that spans can be resolved.
struct parsed {
  triage::source_file src;
  triage::parse_result result;

  [[nodiscard]] const ast::policy& tree() const {
    REQUIRE(result.tree.has_value());
    return *result.tree;
  }
  [[nodiscard]] std::string_view text_of(triage::span s) const { return src.text_of(s); }
};

parsed parse_text(std::string text, const triage::limits& lim = {}) {
  parsed p{triage::source_file{"test.rules", std::move(text)}, {}};
  p.result = triage::parse(p.src, lim);
  return p;
}

// Parses a text that must be valid and returns it; fails the test with the first
// diagnostic's message otherwise.
parsed parse_ok(std::string text) {
  parsed p = parse_text(std::move(text));
  if (!p.result.issues.empty()) FAIL_CHECK(p.result.issues.front().message);
  REQUIRE(p.result.ok());
  return p;
}

// One diagnostic, as a test expects it: code, line, column and message.
struct expected {
  diagnostic_code code;
  std::uint32_t line;
  std::uint32_t column;
  std::string message;
};

void check_diagnostic(const parsed& p, const triage::diagnostic& d, const expected& e) {
  const triage::position at = p.src.position_of(d.where.begin);
  CHECK(triage::code_name(d.code) == triage::code_name(e.code));
  CHECK(at.line == e.line);
  CHECK(at.column == e.column);
  CHECK(d.message == e.message);
}

// Checks that a text gives exactly one diagnostic, the one expected.
parsed check_only(std::string text, const expected& e, const triage::limits& lim = {}) {
  parsed p = parse_text(std::move(text), lim);
  REQUIRE(p.result.issues.size() == 1);
  check_diagnostic(p, p.result.issues.front(), e);
  CHECK_FALSE(p.result.ok());
  return p;
}

// A syntax error: exactly one diagnostic, and no tree.
void check_syntax(std::string text, std::uint32_t line, std::uint32_t column,
                  const std::string& message) {
  INFO("text: " << text);
  const parsed p = check_only(std::move(text), {diagnostic_code::syntax, line, column, message});
  CHECK_FALSE(p.result.tree.has_value());
}

// The first rule's condition of a one-rule text.
ast::condition condition_of(const std::string& cond_text) {
  const parsed p = parse_ok("r if " + cond_text);
  REQUIRE(p.tree().rules.size() == 1);
  return p.tree().rules.front().cond;
}

ast::literal value_of(const std::string& literal_text) {
  const ast::condition c = condition_of("x == " + literal_text);
  REQUIRE(c.kind == ast::condition_kind::compare);
  REQUIRE(c.values.size() == 1);
  return c.values.front();
}

}  // namespace

// ---- valid texts ----------------------------------------------------------------------

TEST_CASE("an empty file is a valid, empty policy") {
  const parsed p = parse_ok("");
  CHECK(p.tree().fields.empty());
  CHECK(p.tree().outputs.empty());
  CHECK(p.tree().lets.empty());
  CHECK(p.tree().rules.empty());
  CHECK(p.tree().tests.empty());
}

TEST_CASE("a file of only comments and blank lines is a valid, empty policy") {
  SUBCASE("ending with a newline") { CHECK(parse_ok("# one\n\n   # two\n").tree().rules.empty()); }
  SUBCASE("a comment at the end of the file without a newline") {
    CHECK(parse_ok("# one\n# two").tree().rules.empty());
  }
  SUBCASE("a comment holding quotes, brackets and non-ASCII text") {
    CHECK(parse_ok("# \"unclosed [ ( { é 😀").tree().rules.empty());
  }
}

TEST_CASE("a field declaration records its name, type, required keyword and spans") {
  const parsed p = parse_ok("field sla: duration required\nfield reopened:int");
  REQUIRE(p.tree().fields.size() == 2);
  const ast::field_decl& sla = p.tree().fields[0];
  CHECK(sla.name.text == "sla");
  CHECK(p.text_of(sla.name.where) == "sla");
  CHECK(sla.type.name == ast::type_name::duration);
  CHECK(p.text_of(sla.type.where) == "duration");
  REQUIRE(sla.required.has_value());
  CHECK(p.text_of(*sla.required) == "required");
  CHECK(p.text_of(sla.where) == "field sla: duration required");
  const ast::field_decl& reopened = p.tree().fields[1];
  CHECK(reopened.type.name == ast::type_name::integer);
  CHECK_FALSE(reopened.required.has_value());
  CHECK(p.text_of(reopened.where) == "field reopened:int");
}

TEST_CASE("every type name is read, and type words are names elsewhere") {
  const parsed p = parse_ok(
      "field a: bool field b: int field c: number field d: duration field e: string\n"
      "field tags: tags field f: flag field urgency: enum { low, medium, high, }\n"
      "field g: enum {}");
  const auto& f = p.tree().fields;
  REQUIRE(f.size() == 9);
  CHECK(f[0].type.name == ast::type_name::boolean);
  CHECK(f[1].type.name == ast::type_name::integer);
  CHECK(f[2].type.name == ast::type_name::number);
  CHECK(f[3].type.name == ast::type_name::duration);
  CHECK(f[4].type.name == ast::type_name::string);
  CHECK(f[5].name.text == "tags");
  CHECK(f[5].type.name == ast::type_name::tags);
  CHECK(f[6].type.name == ast::type_name::flag);  // the checker refuses a flag field
  CHECK(f[7].type.name == ast::type_name::enumeration);
  REQUIRE(f[7].type.members.size() == 3);
  CHECK(f[7].type.members[2].text == "high");
  CHECK(p.text_of(f[7].type.members[1].where) == "medium");
  CHECK(p.text_of(f[7].type.where) == "enum { low, medium, high, }");
  CHECK(f[8].type.members.empty());  // the checker reports an empty enum
}

TEST_CASE("an output declaration records its policy, default and complete keywords") {
  const parsed p = parse_ok(
      "output priority: enum { P1, P2 } first default P2\n"
      "output urgent: flag\n"
      "output risk: int sum\n"
      "output team: string unique complete\n"
      "output a: int max default 3 complete\n"
      "output b: int min complete default 4\n");
  const auto& o = p.tree().outputs;
  REQUIRE(o.size() == 6);
  CHECK(o[0].name.text == "priority");
  CHECK(o[0].type.name == ast::type_name::enumeration);
  CHECK(o[0].policy == ast::hit_keyword::first);
  CHECK(p.text_of(o[0].policy_where) == "first");
  REQUIRE(o[0].default_value.has_value());
  CHECK(o[0].default_value->kind == ast::literal_kind::name);
  CHECK(o[0].default_value->text == "P2");
  CHECK(p.text_of(*o[0].default_keyword) == "default");
  CHECK(p.text_of(o[0].where) == "output priority: enum { P1, P2 } first default P2");
  CHECK(o[1].type.name == ast::type_name::flag);
  CHECK_FALSE(o[1].policy.has_value());
  CHECK_FALSE(o[1].default_value.has_value());
  CHECK(o[2].policy == ast::hit_keyword::sum);
  CHECK(o[3].policy == ast::hit_keyword::unique);
  CHECK(p.text_of(*o[3].complete) == "complete");
  // Both orders of `default` and `complete` are read; the checker refuses the pair.
  CHECK(o[4].policy == ast::hit_keyword::max);
  CHECK(o[4].default_value->integer == 3);
  CHECK(o[4].complete.has_value());
  CHECK(o[5].policy == ast::hit_keyword::min);
  CHECK(o[5].default_value->integer == 4);
  CHECK(o[5].complete.has_value());
}

TEST_CASE("a declaration keyword followed by 'if' or ':' begins the next item") {
  SUBCASE("a rule for an output named like a policy keyword") {
    const parsed p = parse_ok("output first: flag\nfirst if vip");
    CHECK_FALSE(p.tree().outputs[0].policy.has_value());
    REQUIRE(p.tree().rules.size() == 1);
    CHECK(p.tree().rules[0].output.text == "first");
  }
  SUBCASE("a rule for an output named 'required' after a field") {
    const parsed p = parse_ok("field a: int\nrequired if a > 1");
    CHECK_FALSE(p.tree().fields[0].required.has_value());
    CHECK(p.tree().rules[0].output.text == "required");
  }
  SUBCASE("a label named like a keyword after an output") {
    const parsed p = parse_ok("output p: enum { a } max\ndefault: p if x -> a");
    CHECK_FALSE(p.tree().outputs[0].default_keyword.has_value());
    REQUIRE(p.tree().rules[0].label.has_value());
    CHECK(p.tree().rules[0].label->text == "default");
  }
  SUBCASE("the keyword is still a keyword when something else follows") {
    const parsed p = parse_ok("output p: enum { a } max complete\nx if y -> a");
    CHECK(p.tree().outputs[0].policy == ast::hit_keyword::max);
    CHECK(p.tree().outputs[0].complete.has_value());
  }
}

TEST_CASE("a let declaration names a condition") {
  const parsed p = parse_ok("let vip = tags has any [\"vip\", \"exec\"]");
  REQUIRE(p.tree().lets.size() == 1);
  const ast::let_decl& let = p.tree().lets[0];
  CHECK(let.name.text == "vip");
  CHECK(p.text_of(let.name.where) == "vip");
  CHECK(let.cond.kind == ast::condition_kind::compare);
  CHECK(let.cond.op == ast::compare_op::has_any);
  CHECK(p.text_of(let.where) == "let vip = tags has any [\"vip\", \"exec\"]");
}

TEST_CASE("a rule records its label, output, condition, arrow and value") {
  const parsed p = parse_ok("p1_high: priority if impact == high -> P1\nurgent if sla < 2h");
  REQUIRE(p.tree().rules.size() == 2);
  const ast::rule& r = p.tree().rules[0];
  REQUIRE(r.label.has_value());
  CHECK(r.label->text == "p1_high");
  CHECK(p.text_of(r.label->where) == "p1_high");
  CHECK(r.output.text == "priority");
  CHECK(p.text_of(r.output.where) == "priority");
  CHECK(r.cond.kind == ast::condition_kind::compare);
  CHECK(p.text_of(r.cond.where) == "impact == high");
  REQUIRE(r.value.has_value());
  CHECK(r.value->text == "P1");
  CHECK(p.text_of(*r.arrow) == "->");
  CHECK(p.text_of(r.where) == "p1_high: priority if impact == high -> P1");
  const ast::rule& u = p.tree().rules[1];
  CHECK_FALSE(u.label.has_value());
  CHECK_FALSE(u.value.has_value());
  CHECK_FALSE(u.arrow.has_value());
  CHECK(p.text_of(u.where) == "urgent if sla < 2h");
}

TEST_CASE("a rule may span several lines, with comments in between") {
  const parsed p = parse_ok("team\n  if tags has \"vpn\" # network trouble\n  or x\n  -> network");
  const ast::rule& r = p.tree().rules[0];
  CHECK(r.cond.kind == ast::condition_kind::any_of);
  CHECK(r.value->text == "network");
}

TEST_CASE("conditions bind or loosest, then and, then not") {
  const ast::condition c = condition_of("a or b and not c or d");
  REQUIRE(c.kind == ast::condition_kind::any_of);
  REQUIRE(c.operands.size() == 3);  // chains are flat
  CHECK(c.operands[0].kind == ast::condition_kind::name);
  CHECK(c.operands[0].subject.text == "a");
  const ast::condition& both = c.operands[1];
  REQUIRE(both.kind == ast::condition_kind::all_of);
  REQUIRE(both.operands.size() == 2);
  CHECK(both.operands[0].subject.text == "b");
  REQUIRE(both.operands[1].kind == ast::condition_kind::negate);
  REQUIRE(both.operands[1].operands.size() == 1);
  CHECK(both.operands[1].operands[0].subject.text == "c");
  CHECK(c.operands[2].subject.text == "d");
}

TEST_CASE("parentheses group a condition and leave no node of their own") {
  const parsed p = parse_ok("r if not (a or b) and c");
  const ast::condition& c = p.tree().rules[0].cond;
  REQUIRE(c.kind == ast::condition_kind::all_of);
  const ast::condition& negated = c.operands[0];
  REQUIRE(negated.kind == ast::condition_kind::negate);
  CHECK(p.text_of(negated.where) == "not (a or b)");
  const ast::condition& inner = negated.operands[0];
  CHECK(inner.kind == ast::condition_kind::any_of);
  CHECK(p.text_of(inner.where) == "a or b");
  CHECK(p.text_of(c.where) == "not (a or b) and c");
}

TEST_CASE("a long and-chain is one flat node") {
  std::string text = "x0";
  for (int i = 1; i < 50; ++i) text += " and x" + std::to_string(i);
  const ast::condition c = condition_of(text);
  REQUIRE(c.kind == ast::condition_kind::all_of);
  CHECK(c.operands.size() == 50);
  CHECK(c.operands[49].subject.text == "x49");
}

TEST_CASE("every comparison operator is read") {
  struct operator_case {
    std::string text;
    ast::compare_op op;
    std::string op_span;
    bool is_list;
    std::size_t values;
  };
  const std::vector<operator_case> cases = {
      {"f == 1", ast::compare_op::eq, "==", false, 1},
      {"f != 1", ast::compare_op::ne, "!=", false, 1},
      {"f < 1", ast::compare_op::lt, "<", false, 1},
      {"f <= 1", ast::compare_op::le, "<=", false, 1},
      {"f > 1", ast::compare_op::gt, ">", false, 1},
      {"f >= 1", ast::compare_op::ge, ">=", false, 1},
      {"f in [a, b]", ast::compare_op::in, "in", true, 2},
      {"f not in [a]", ast::compare_op::not_in, "not in", true, 1},
      {"f not\n  in [a, b, c,]", ast::compare_op::not_in, "not\n  in", true, 3},
      {"f contains \"x\"", ast::compare_op::contains, "contains", false, 1},
      {"f starts_with \"x\"", ast::compare_op::starts_with, "starts_with", false, 1},
      {"f ends_with \"x\"", ast::compare_op::ends_with, "ends_with", false, 1},
      {"f has \"t\"", ast::compare_op::has, "has", false, 1},
      {"f has on_call", ast::compare_op::has, "has", false, 1},
      {"f has any [\"a\"]", ast::compare_op::has_any, "has any", true, 1},
      {"f has all [\"a\", \"b\"]", ast::compare_op::has_all, "has all", true, 2},
      {"f has any_tag", ast::compare_op::has, "has", false, 1},
      {"f is missing", ast::compare_op::is_missing, "is missing", false, 0},
      {"f is present", ast::compare_op::is_present, "is present", false, 0},
      // The parser reads one value or a list after any operator; the checker says which.
      {"f == [a]", ast::compare_op::eq, "==", true, 1},
      {"f in a", ast::compare_op::in, "in", false, 1},
  };
  for (const operator_case& oc : cases) {
    INFO("condition: " << oc.text);
    const parsed p = parse_ok("r if " + oc.text);
    const ast::condition& c = p.tree().rules[0].cond;
    REQUIRE(c.kind == ast::condition_kind::compare);
    CHECK(c.subject.text == "f");
    CHECK(c.op == oc.op);
    CHECK(p.text_of(c.op_where) == oc.op_span);
    CHECK(c.is_list == oc.is_list);
    CHECK(c.values.size() == oc.values);
    CHECK(p.text_of(c.where) == oc.text);
  }
}

TEST_CASE("a bare name is a condition of its own") {
  const parsed p = parse_ok("escalate if repeat_client -> L2");
  const ast::condition& c = p.tree().rules[0].cond;
  CHECK(c.kind == ast::condition_kind::name);
  CHECK(c.subject.text == "repeat_client");
  CHECK(p.text_of(c.where) == "repeat_client");
}

TEST_CASE("every literal form is read with its value") {
  SUBCASE("booleans") {
    CHECK(value_of("true").kind == ast::literal_kind::boolean);
    CHECK(value_of("true").boolean);
    CHECK_FALSE(value_of("false").boolean);
  }
  SUBCASE("integers, the extremes included") {
    CHECK(value_of("42").integer == 42);
    CHECK(value_of("-7").integer == -7);
    CHECK(value_of("007").integer == 7);
    CHECK(value_of("9223372036854775807").integer == INT64_MAX);
    CHECK(value_of("-9223372036854775808").integer == INT64_MIN);
    CHECK(value_of("0").kind == ast::literal_kind::integer);
  }
  SUBCASE("numbers") {
    CHECK(value_of("2.5").kind == ast::literal_kind::number);
    CHECK(value_of("2.5").number == 2.5);
    CHECK(value_of("-0.125").number == -0.125);
    CHECK(value_of(std::string("0.").append(400, '0').append("1")).number == 0.0);  // underflow
  }
  SUBCASE("durations in seconds") {
    CHECK(value_of("90s").kind == ast::literal_kind::duration);
    CHECK(value_of("90s").integer == 90);
    CHECK(value_of("30m").integer == 1800);
    CHECK(value_of("2h").integer == 7200);
    CHECK(value_of("1h30m").integer == 5400);
    CHECK(value_of("2d").integer == 172800);
    CHECK(value_of("1w2d3h4m5s").integer == 604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5);
    CHECK(value_of("-15m").integer == -900);
    CHECK(value_of("0s").integer == 0);
  }
  SUBCASE("strings with every escape") {
    const ast::literal s = value_of(R"("a\"b\\c\nd\te\u{e9}\u{1F600}")");
    CHECK(s.kind == ast::literal_kind::string);
    CHECK(s.valid);
    CHECK(s.text == "a\"b\\c\nd\te\xC3\xA9\xF0\x9F\x98\x80");
    CHECK(value_of("\"\"").text.empty());
    CHECK(value_of("\"caf\xC3\xA9 # not a comment\"").text == "caf\xC3\xA9 # not a comment");
  }
  SUBCASE("bare names") {
    const ast::literal n = value_of("high");
    CHECK(n.kind == ast::literal_kind::name);
    CHECK(n.text == "high");
    CHECK(value_of("true_ish").kind == ast::literal_kind::name);
  }
}

TEST_CASE("a literal's span covers exactly its text") {
  const parsed p = parse_ok("r if x in [ \"a b\" , -1h30m,2.5 ]");
  const auto& values = p.tree().rules[0].cond.values;
  REQUIRE(values.size() == 3);
  CHECK(p.text_of(values[0].where) == "\"a b\"");
  CHECK(p.text_of(values[1].where) == "-1h30m");
  CHECK(p.text_of(values[2].where) == "2.5");
}

TEST_CASE("a test block records its name, given and expect assignments") {
  const parsed p = parse_ok(
      "test \"VPN \\\"outage\\\"\" {\n"
      "  given urgency = high, tags = [\"vpn\"], sla = 90m,\n"
      "  expect priority = P1, notify = [on_call], escalate is missing\n"
      "}\n"
      "test \"empty\" {}\n"
      "test \"only expect\" { expect urgent = true }\n"
      "test \"any order\" { expect a = 1 given b = 2, expect c = 3 }");
  REQUIRE(p.tree().tests.size() == 4);
  const ast::test_block& t = p.tree().tests[0];
  CHECK(t.name == "VPN \"outage\"");
  CHECK(p.text_of(t.name_where) == "\"VPN \\\"outage\\\"\"");
  REQUIRE(t.given.size() == 3);
  CHECK(t.given[0].name.text == "urgency");
  CHECK(t.given[0].values[0].text == "high");
  CHECK_FALSE(t.given[0].is_list);
  CHECK(t.given[1].is_list);
  CHECK(t.given[1].values[0].text == "vpn");
  CHECK(p.text_of(t.given[1].where) == "tags = [\"vpn\"]");
  CHECK(t.given[2].values[0].integer == 5400);
  REQUIRE(t.expect.size() == 3);
  CHECK(t.expect[1].is_list);
  CHECK(t.expect[2].is_missing);
  CHECK(t.expect[2].values.empty());
  CHECK(p.text_of(t.expect[2].where) == "escalate is missing");
  CHECK(p.text_of(t.where).substr(0, 5) == "test ");
  CHECK(p.text_of(t.where).back() == '}');
  CHECK(p.tree().tests[1].given.empty());
  CHECK(p.tree().tests[1].expect.empty());
  CHECK(p.tree().tests[2].expect[0].values[0].boolean);
  CHECK(p.tree().tests[3].given.size() == 1);
  REQUIRE(p.tree().tests[3].expect.size() == 2);
  CHECK(p.tree().tests[3].expect[1].name.text == "c");
}

TEST_CASE("the whole example of the language reference parses") {
  const parsed p = parse_ok(triage_test::spec_example_policy);
  const ast::policy& t = p.tree();
  CHECK(t.fields.size() == 8);
  CHECK(t.outputs.size() == 6);
  CHECK(t.lets.size() == 1);
  CHECK(t.rules.size() == 13);
  REQUIRE(t.tests.size() == 1);
  CHECK(t.tests[0].given.size() == 6);
  CHECK(t.tests[0].expect.size() == 6);
  CHECK(t.fields[0].required.has_value());
  CHECK(t.outputs[4].policy == ast::hit_keyword::collect);
  CHECK(t.rules[5].cond.kind == ast::condition_kind::compare);
  CHECK(t.rules[5].cond.op == ast::compare_op::has_any);
  const triage::position team = p.src.position_of(t.rules[6].output.where.begin);
  CHECK(team.line == 29);
  CHECK(team.column == 1);
}

TEST_CASE("CRLF line ends are ordinary whitespace and positions stay right") {
  const parsed p = parse_ok("field a: int\r\n# note\r\nurgent if a > 1\r\n");
  REQUIRE(p.tree().rules.size() == 1);
  const triage::position at = p.src.position_of(p.tree().rules[0].cond.where.begin);
  CHECK(at.line == 3);
  CHECK(at.column == 11);
  check_syntax("field a: int\r\nfield b int\r\n", 2, 9, "expected ':' after the field name, found 'int'");
}

TEST_CASE("a byte order mark at the start is skipped") {
  CHECK(parse_ok("\xEF\xBB\xBF" "field a: int").tree().fields.size() == 1);
}

// ---- syntax errors ------------------------------------------------------------------

TEST_CASE("a syntax error names what was expected and the token found instead") {
  check_syntax("field sla bool", 1, 11, "expected ':' after the field name, found 'bool'");
  check_syntax("field", 1, 6, "expected a field name after 'field', found end of file");
  check_syntax("field 9a: int", 1, 7, "expected a field name after 'field', found '9a'");
  check_syntax("field a: integer", 1, 10,
               "expected a field type (bool, int, number, duration, string, tags or enum), "
               "found 'integer'");
  check_syntax("output a flag", 1, 10, "expected ':' after the output name, found 'flag'");
  check_syntax("output a: bag", 1, 11,
               "expected an output type (flag, enum, string or int), found 'bag'");
  check_syntax("output", 1, 7, "expected an output name after 'output', found end of file");
  check_syntax("output p: enum { a } default", 1, 29,
               "expected a value after 'default', found end of file");
  check_syntax("field a: enum low", 1, 15, "expected '{' after 'enum', found 'low'");
  check_syntax("field a: enum { low high }", 1, 21,
               "expected an enum member, ',' or '}', found 'high'");
  check_syntax("let", 1, 4, "expected a name after 'let', found end of file");
  check_syntax("let v tags", 1, 7, "expected '=' after the let name, found 'tags'");
  check_syntax("let v =", 1, 8, "expected a condition after '=', found end of file");
  check_syntax("urgent if", 1, 10, "expected a condition after 'if', found end of file");
  check_syntax("urgent if\n  and x", 2, 3, "expected a condition after 'if', found 'and'");
  check_syntax("urgent sla < 2h", 1, 8, "expected 'if' after the output name, found 'sla'");
  check_syntax("lbl: if x", 1, 6, "expected an output name after the label, found 'if'");
  check_syntax("urgent if a and", 1, 16, "expected a condition after 'and', found end of file");
  check_syntax("urgent if a or or b", 1, 16, "expected a condition after 'or', found 'or'");
  check_syntax("urgent if not", 1, 14, "expected a condition after 'not', found end of file");
  check_syntax("urgent if ()", 1, 12, "expected a condition after '(', found ')'");
  check_syntax("urgent if (a b", 1, 14,
               "expected ')' to close the parenthesis, found 'b'");
  check_syntax("urgent if sla <", 1, 16, "expected a value after '<', found end of file");
  check_syntax("urgent if t has any", 1, 20,
               "expected a value after 'has any', found end of file");
  check_syntax("urgent if x not y", 1, 17, "expected 'in' after 'not', found 'y'");
  check_syntax("urgent if x is absent", 1, 16,
               "expected 'missing' or 'present' after 'is', found 'absent'");
  check_syntax("urgent if urgency = high", 1, 19,
               "expected a comparison operator such as '==' or 'in', found '='");
  check_syntax("p if x ->", 1, 10, "expected a value after '->', found end of file");
  check_syntax("p if x -> [a]", 1, 11, "expected a value after '->', found '['");
  check_syntax("-> p", 1, 1, "expected a declaration, a rule or a test, found '->'");
  check_syntax("urgent if x\nif y", 2, 1, "expected a declaration, a rule or a test, found 'if'");
  check_syntax("urgent if x == 1 2", 1, 18,
               "expected a declaration, a rule or a test, found '2'");
  check_syntax("@", 1, 1, "expected a declaration, a rule or a test, found '@'");
  check_syntax("\x01", 1, 1, "expected a declaration, a rule or a test, found character U+0001");
  check_syntax("caf\xC3\xA9 if x", 1, 4,
               "expected 'if' after the output name, found '\xC3\xA9'");
}

TEST_CASE("an error at the end of the file is shown right after the last token") {
  check_syntax("urgent if sla < 2h and\n\n", 1, 23,
               "expected a condition after 'and', found end of file");
  check_syntax("urgent if sla < 2h and  # more to come\n# and a comment \"#\"\n  \n", 1, 23,
               "expected a condition after 'and', found end of file");
  check_syntax("urgent if x == \"#\" and # c\n", 1, 23,
               "expected a condition after 'and', found end of file");
}

TEST_CASE("a value written without '->' is explained in a note") {
  const parsed p = check_only("priority if urgency == high P1",
                              {diagnostic_code::syntax, 1, 31,
                               "expected 'if' after the output name, found end of file"});
  const triage::diagnostic& d = p.result.issues[0];
  REQUIRE(d.notes.size() == 1);
  CHECK(p.src.position_of(d.notes[0].where.begin).column == 29);
  CHECK(d.notes[0].message ==
        "'P1' is read as the start of a new rule; to give the rule before it a value, write "
        "'-> P1'");
  // On a line of its own, a name without 'if' is just that.
  CHECK(check_only("urgent if x\nP1",
                   {diagnostic_code::syntax, 2, 3,
                    "expected 'if' after the output name, found end of file"})
            .result.issues[0]
            .notes.empty());
}

TEST_CASE("the token found is quoted whole, and shortened when it is long") {
  check_syntax("field a \"text\"", 1, 9, "expected ':' after the field name, found '\"text\"'");
  check_syntax("field a -12.5h", 1, 9, "expected ':' after the field name, found '-12.5h'");
  check_syntax("field a " + std::string(50, 'x'), 1, 9,
               "expected ':' after the field name, found '" + std::string(40, 'x') + "...'");
  check_syntax("field a\n  # a comment\n  ==", 3, 3, "expected ':' after the field name, found '=='");
}

TEST_CASE("malformed numbers and durations are syntax errors at the offending character") {
  check_syntax("r if x == 1.", 1, 13, "expected digits after the decimal point, found end of file");
  check_syntax("r if x == 2x", 1, 12,
               "expected a duration unit (w, d, h, m or s) or the end of the number, found 'x'");
  check_syntax("r if x == 1h30", 1, 15,
               "expected a duration unit (w, d, h, m or s) after the digits, found end of file");
  check_syntax("r if x == 2.5h", 1, 14,
               "expected a duration unit (w, d, h, m or s) or the end of the number, found 'h'");
  check_syntax("r if x == 1.2.3", 1, 14,
               "expected a duration unit (w, d, h, m or s) or the end of the number, found '.'");
}

TEST_CASE("unterminated strings, lists and blocks point at where they open") {
  check_syntax("r if x == \"abc", 1, 11, "unterminated string");
  check_syntax("r if x == \"abc\ny if z", 1, 11, "unterminated string");
  check_syntax("r if x == \"abc\\\"", 1, 11, "unterminated string");
  check_syntax("r if x in [a, b", 1, 11, "unterminated list: expected ']'");
  check_syntax("r if x in [a, b c]", 1, 17, "expected ',' or ']' in the list, found 'c'");
  check_syntax("r if x in []", 1, 12, "expected a value in the list, found ']'");
  check_syntax("r if x in [,]", 1, 12, "expected a value in the list, found ','");
  check_syntax("field a: enum { low,\n  high", 1, 15, "unterminated enum: expected '}'");
  check_syntax("test \"t\" {\n  given a = 1", 1, 10, "unterminated test: expected '}'");
  check_syntax("r if (a or (b and not c)", 1, 6, "unterminated parenthesis: expected ')'");
}

TEST_CASE("test blocks report what is missing in them") {
  check_syntax("test t {}", 1, 6, "expected the test's name in quotes after 'test', found 't'");
  check_syntax("test \"t\" given", 1, 10, "expected '{' after the test name, found 'given'");
  check_syntax("test \"t\" { given }", 1, 18, "expected a field name after 'given', found '}'");
  check_syntax("test \"t\" { expect }", 1, 19, "expected an output name after 'expect', found '}'");
  check_syntax("test \"t\" { given a }", 1, 20,
               "expected '=' or 'is missing' after the name, found '}'");
  check_syntax("test \"t\" { given a = }", 1, 22, "expected a value after '=', found '}'");
  check_syntax("test \"t\" { expect a is }", 1, 24, "expected 'missing' after 'is', found '}'");
  check_syntax("test \"t\" { given a = 1 b = 2 }", 1, 24,
               "expected 'given', 'expect', ',' or '}' in the test, found 'b'");
}

TEST_CASE("columns count code points, and a tab is one column") {
  check_syntax("\tfield sla bool", 1, 12, "expected ':' after the field name, found 'bool'");
  check_syntax("# caf\xC3\xA9 \xF0\x9F\x98\x80\nfield s\xC3\xA9", 2, 8,
               "expected ':' after the field name, found '\xC3\xA9'");
  check_syntax("r if x == \"\xC3\xA9\xC3\xA9\" 5", 1, 16,
               "expected a declaration, a rule or a test, found '5'");
}

TEST_CASE("no syntax error message shows a C++ name or template") {
  // Broken inputs meant to reach every commit point of the grammar and then some.
  const std::vector<std::string> broken = {
      "field", "field a", "field a:", "field a: enum", "field a: enum {", "field a: enum { x,",
      "field a: int required required", "output", "output o", "output o:",
      "output o: int first default", "output o: int sum sum", "let", "let x", "let x =",
      "let x = (", "let x = not", "r", "r if", "r if (", "r if (a", "r if a and", "r if a or",
      "r if a ==", "r if a in [", "r if a in [1", "r if a in [1,", "r if a not", "r if a is",
      "r if a has", "r if a has any", "r if a = 1", "r if a -> ", "l:", "l: r", "l: r if",
      "r if a == \"", "r if a == \"\\", "r if a == 1.", "r if a == 1h2", "r if a == 1q",
      "test", "test \"", "test \"t\"", "test \"t\" {", "test \"t\" { given",
      "test \"t\" { given a", "test \"t\" { given a =", "test \"t\" { given a = [",
      "test \"t\" { expect a is", "test \"t\" { given a = 1,", "}", "{", ")", "]", ":", "->",
      "==", "\"", "#\n}", "r if a == -", "r if a == - 1", "r if ((a)", "r if a == b c d",
      "field a: int\x7f", "\xEF\xBB\xBF}", "r if a == [1 2]", "output o: enum { } first x",
  };
  for (const std::string& text : broken) {
    INFO("text: " << text);
    const parsed p = parse_text(text);
    REQUIRE_FALSE(p.result.issues.empty());
    CHECK_FALSE(p.result.ok());
    for (const triage::diagnostic& d : p.result.issues) {
      INFO("message: " << d.message);
      CHECK(d.message.find("tao") == std::string::npos);
      CHECK(d.message.find("triage::") == std::string::npos);
      CHECK(d.message.find("::") == std::string::npos);
      CHECK(d.message.find('<') == std::string::npos);
      CHECK(d.message.find('\n') == std::string::npos);
      CHECK_FALSE(d.message.empty());
      CHECK(d.message.back() != '.');
      CHECK(d.where.end <= p.src.text().size());
    }
  }
}

// ---- invalid literals and reserved words: reported, and the tree is kept -----------------

TEST_CASE("a literal that cannot be represented is reported and marked invalid") {
  struct literal_case {
    std::string literal;
    std::uint32_t column;  // of the diagnostic, in "r if x == LITERAL"
    std::string message;
  };
  const std::vector<literal_case> cases = {
      {"99999999999999999999", 11, "integer literal '99999999999999999999' does not fit in 64 bits"},
      {"9223372036854775808", 11, "integer literal '9223372036854775808' does not fit in 64 bits"},
      {"-9223372036854775809", 11,
       "integer literal '-9223372036854775809' does not fit in 64 bits"},
      {"15250284452472w", 11,
       "duration literal '15250284452472w' does not fit in 64 bits when counted in seconds"},
      {"99999999999999999999s", 11,
       "duration literal '99999999999999999999s' does not fit in 64 bits when counted in seconds"},
      {"1m2h", 11, "duration units must come in the order w d h m s, each at most once"},
      {"1h2h", 11, "duration units must come in the order w d h m s, each at most once"},
      {std::string(1, '1').append(400, '0').append(".0"), 11,
       "number literal '1000000000000000000000000000000000000000...' is too large for a double"},
      {R"("a\qb")", 13, R"(unknown escape '\q' in string)"},
      {"\"\\\xC3\xA9\"", 12, "unknown escape '\\\xC3\xA9' in string"},
      {R"("\u{110000}")", 12, R"(unicode escape '\u{110000}' is not a valid code point)"},
      {R"("\u{d800}")", 12, R"(unicode escape '\u{d800}' is not a valid code point)"},
      {R"("\u{}")", 12,
       R"(malformed unicode escape '\u{}'; expected 1 to 6 hex digits in braces, as in '\u{e9}')"},
      {R"("\u{1234567}")", 12,
       R"(malformed unicode escape '\u{1234567}'; expected 1 to 6 hex digits in braces, as in '\u{e9}')"},
      {R"("\u41")", 12,
       R"(malformed unicode escape '\u'; expected 1 to 6 hex digits in braces, as in '\u{e9}')"},
      {R"("\u{41")", 12,
       R"(malformed unicode escape '\u{41'; expected 1 to 6 hex digits in braces, as in '\u{e9}')"},
  };
  for (const literal_case& lc : cases) {
    INFO("literal: " << lc.literal);
    const parsed p = parse_text("r if x == " + lc.literal);
    REQUIRE(p.result.issues.size() == 1);
    check_diagnostic(p, p.result.issues[0],
                     {diagnostic_code::invalid_literal, 1, lc.column, lc.message});
    REQUIRE(p.result.tree.has_value());  // the checker can go on
    CHECK_FALSE(p.result.ok());
    const ast::literal& lit = p.result.tree->rules[0].cond.values[0];
    CHECK_FALSE(lit.valid);
    CHECK(p.text_of(lit.where) == lc.literal);
  }
}

TEST_CASE("only the first bad escape of a string is reported") {
  const parsed p = parse_text(R"(r if x == "\q\w" or y == "\e")");
  REQUIRE(p.result.issues.size() == 2);
  CHECK(p.result.issues[0].message == R"(unknown escape '\q' in string)");
  CHECK(p.result.issues[1].message == R"(unknown escape '\e' in string)");
  CHECK(p.result.tree.has_value());
}

TEST_CASE("a reserved word where a name is expected is reported, and the tree is kept") {
  struct reserved_case {
    std::string text;
    std::uint32_t column;
    std::string message;
  };
  const std::vector<reserved_case> cases = {
      {"field if: bool", 7, "'if' is a reserved word and cannot be used as a field name"},
      {"output not: flag", 8, "'not' is a reserved word and cannot be used as an output name"},
      {"let true = x", 5, "'true' is a reserved word and cannot be used as a let name"},
      {"field a: enum { low, in }", 22,
       "'in' is a reserved word and cannot be used as an enum member"},
      {"missing if x", 1, "'missing' is a reserved word and cannot be used as an output name"},
      {"any: r if x", 1, "'any' is a reserved word and cannot be used as a label"},
      {"l: has if x", 4, "'has' is a reserved word and cannot be used as an output name"},
      {"test \"t\" { given is = 1 }", 18,
       "'is' is a reserved word and cannot be used as a field name"},
      {"test \"t\" { expect all = 1 }", 19,
       "'all' is a reserved word and cannot be used as an output name"},
  };
  for (const reserved_case& rc : cases) {
    INFO("text: " << rc.text);
    const parsed p = parse_text(rc.text);
    REQUIRE(p.result.issues.size() == 1);
    check_diagnostic(p, p.result.issues[0], {diagnostic_code::reserved_word, 1, rc.column, rc.message});
    CHECK(p.result.tree.has_value());
    CHECK_FALSE(p.result.ok());
  }
}

// ---- text checks --------------------------------------------------------------------

TEST_CASE("invalid UTF-8 is a syntax error at the first bad byte") {
  check_syntax("field a: int\n# \xff\n", 2, 3, "invalid UTF-8 byte 0xff");
  check_syntax("r if x == \"\xC3\"", 1, 12, "invalid UTF-8 byte 0xc3");      // truncated
  check_syntax("\xC0\xAF", 1, 1, "invalid UTF-8 byte 0xc0");                  // overlong
  check_syntax("# \xED\xA0\x80", 1, 3, "invalid UTF-8 byte 0xed");            // surrogate
  check_syntax("# \xF4\x90\x80\x80", 1, 3, "invalid UTF-8 byte 0xf4");        // past U+10FFFF
  check_syntax("# ok \xC3\xA9\n\x80", 2, 1, "invalid UTF-8 byte 0x80");  // stray byte
}

TEST_CASE("bidirectional control characters are refused anywhere, comments and strings included") {
  check_syntax("# admin \xE2\x80\xAE only\n", 1, 9,
               "bidirectional control character U+202E is not allowed");
  check_syntax("r if x == \"\xE2\x81\xA6\"", 1, 12,
               "bidirectional control character U+2066 is not allowed");
  check_syntax("\xE2\x80\xAA", 1, 1, "bidirectional control character U+202A is not allowed");
  check_syntax("# \xE2\x81\xA9", 1, 3, "bidirectional control character U+2069 is not allowed");
  // Their neighbours are ordinary characters.
  CHECK(parse_ok("# \xE2\x80\xA9 \xE2\x81\xAA \xE2\x80\x8F\n").tree().rules.empty());
}

TEST_CASE("each of the nine embedding, override and isolate characters is refused at its own column") {
  // U+202A-U+202E are E2 80 AA-AE; U+2066-U+2069 are E2 81 A6-A9. Each sits in a string
  // literal on line 2, after a two-byte character, so the column counts code points.
  const std::pair<const char*, const char*> cases[] = {
      {"\xE2\x80\xAA", "U+202A"}, {"\xE2\x80\xAB", "U+202B"}, {"\xE2\x80\xAC", "U+202C"},
      {"\xE2\x80\xAD", "U+202D"}, {"\xE2\x80\xAE", "U+202E"}, {"\xE2\x81\xA6", "U+2066"},
      {"\xE2\x81\xA7", "U+2067"}, {"\xE2\x81\xA8", "U+2068"}, {"\xE2\x81\xA9", "U+2069"}};
  for (const auto& [bytes, name] : cases) {
    check_syntax(std::string("field a: string\nr if a == \"\xC3\xA9") + bytes + "\"\n", 2, 13,
                 std::string("bidirectional control character ") + name + " is not allowed");
  }
}

// ---- limits -------------------------------------------------------------------------

TEST_CASE("the default limits hold exactly at N and refuse N + 1") {
  SUBCASE("max_file_bytes, 16 MiB") {
    CHECK(parse_text(std::string(std::size_t{16} << 20, ' ')).result.ok());
    check_only(std::string((std::size_t{16} << 20) + 1, ' '),
               {diagnostic_code::limit_exceeded, 1, 1,
                "policy is 16777217 bytes, over the limit max_file_bytes = 16777216"});
  }
  SUBCASE("max_rules, 100,000") {
    std::string rules;
    for (int i = 0; i < 100'000; ++i) rules += "a if x\n";
    CHECK(parse_text(rules).result.ok());
    check_only(rules + "b if x\n", {diagnostic_code::limit_exceeded, 100'001, 1,
                                    "rule number 100001 is over the limit max_rules = 100000"});
  }
  SUBCASE("max_string_bytes, 64 KiB") {
    CHECK(parse_text("r if x == \"" + std::string(65'536, 'a') + "\"").result.ok());
    check_only("r if x == \"" + std::string(65'537, 'a') + "\"",
               {diagnostic_code::limit_exceeded, 1, 11,
                "string literal is 65537 bytes, over the limit max_string_bytes = 65536"});
  }
}

TEST_CASE("a file over max_file_bytes is refused before it is read") {
  triage::limits lim;
  lim.max_file_bytes = 100;
  check_only(std::string(101, ' '),
             {diagnostic_code::limit_exceeded, 1, 1,
              "policy is 101 bytes, over the limit max_file_bytes = 100"},
             lim);
  CHECK(parse_text(std::string(100, ' '), lim).result.ok());
  const parsed big = parse_text(std::string(17'000'000, ' '));
  REQUIRE(big.result.issues.size() == 1);
  CHECK(big.result.issues[0].message ==
        "policy is 17000000 bytes, over the limit max_file_bytes = 16777216");
}

TEST_CASE("more rules than max_rules is an error at the first rule too many") {
  triage::limits lim;
  lim.max_rules = 3;
  check_only("a if x\nb if x\nc if x\nd if x\ne if x",
             {diagnostic_code::limit_exceeded, 4, 1, "rule number 4 is over the limit max_rules = 3"},
             lim);
  CHECK(parse_text("a if x\nb if x\nc if x", lim).result.ok());
}

TEST_CASE("nesting of parentheses and 'not' is accepted to max_nesting and refused past it") {
  const auto nested = [](int parens, int nots) {
    std::string text = "r if ";
    for (int i = 0; i < nots; ++i) text += "not ";
    text += std::string(static_cast<std::size_t>(parens), '(') + "x" +
            std::string(static_cast<std::size_t>(parens), ')');
    return text;
  };
  CHECK(parse_text(nested(64, 0)).result.ok());
  CHECK(parse_text(nested(32, 32)).result.ok());
  CHECK(parse_text(nested(0, 64)).result.ok());
  check_only(nested(65, 0),
             {diagnostic_code::limit_exceeded, 1, 70,
              "condition nesting depth 65 is over the limit max_nesting = 64"});
  check_only(nested(0, 65),
             {diagnostic_code::limit_exceeded, 1, 6 + 64 * 4,
              "condition nesting depth 65 is over the limit max_nesting = 64"});
  check_only(nested(33, 32),
             {diagnostic_code::limit_exceeded, 1, 6 + 32 * 4 + 32,
              "condition nesting depth 65 is over the limit max_nesting = 64"});
  // Depth is per enclosing level, not per parenthesis in the file.
  std::string wide = "r if ";
  for (int i = 0; i < 200; ++i) wide += (i ? " and " : "") + std::string("((x))");
  CHECK(parse_text(wide).result.ok());
  triage::limits lim;
  lim.max_nesting = 2;
  check_only("r if ((not x))",
             {diagnostic_code::limit_exceeded, 1, 8,
              "condition nesting depth 3 is over the limit max_nesting = 2"},
             lim);
}

TEST_CASE("a condition nested a million levels deep is refused without exhausting the stack") {
  const std::string deep = "urgent if " + std::string(1'000'000, '(') + "x";
  check_only(deep, {diagnostic_code::limit_exceeded, 1, 75,
                    "condition nesting depth 65 is over the limit max_nesting = 64"});
  const std::string nots = "let a = " + [] {
    std::string s;
    for (int i = 0; i < 1'000'000; ++i) s += "not ";
    return s;
  }() + "x";
  check_only(nots, {diagnostic_code::limit_exceeded, 1, 9 + 64 * 4,
                    "condition nesting depth 65 is over the limit max_nesting = 64"});
}

TEST_CASE("a string longer than max_string_bytes after unescaping is refused") {
  triage::limits lim;
  lim.max_string_bytes = 4;
  check_only("r if x == \"abcde\"",
             {diagnostic_code::limit_exceeded, 1, 11,
              "string literal is 5 bytes, over the limit max_string_bytes = 4"},
             lim);
  // Four bytes after unescaping, though eight in the source.
  CHECK(parse_text("r if x == \"\\n\\t\\\\\\\"\"", lim).result.ok());
  const parsed p = parse_text("r if x == \"" + std::string(70'000, 'a') + "\"");
  REQUIRE(p.result.issues.size() == 1);
  CHECK(p.result.issues[0].message ==
        "string literal is 70000 bytes, over the limit max_string_bytes = 65536");
  CHECK_FALSE(p.result.tree.has_value());
}

// ---- big and pathological inputs ----------------------------------------------------

TEST_CASE("thousands of randomly damaged policies never crash and always explain themselves") {
  const std::string seed_text =
      "field urgency: enum { low, high } required\n"
      "field sla: duration\nfield tags: tags\n"
      "output priority: enum { P1, P2 } first default P2\noutput urgent: flag\n"
      "let vip = tags has any [\"vip\", \"exec\",]\n"
      "p1: priority if (urgency == high or not sla >= 1h30m) and vip -> P1\n"
      "urgent if sla < 2h and tags has \"x\\n\" and urgency not in [low]\n"
      "test \"t\" { given urgency = high, sla = 90m expect priority = P1, urgent is missing }\n";
  // Pieces that are likely to break or nest: tokens, brackets, quotes, escapes, bytes.
  const std::vector<std::string> pieces = {
      "(", ")", "[", "]", "{", "}", "\"", "\\", "\\u{", "#", "\n", " ", ",", ":", "->", "==",
      "not ", "and ", "or ", "if ", "is ", "in ", "-", "1", "9999999999999999999999", "h",
      "1m2h", "\xC3\xA9", "\xE2\x80\xAE", "\xff", "\r\n", "\t", "field ", "test ", "x"};
  std::uint64_t state = 0x9E3779B97F4A7C15u;
  const auto next = [&state](std::size_t bound) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return static_cast<std::size_t>(state % bound);
  };
  std::size_t with_tree = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string text = seed_text;
    const std::size_t edits = 1 + next(4);
    for (std::size_t e = 0; e < edits; ++e) {
      const std::size_t at = next(text.size() + 1);
      switch (next(3)) {
        case 0: text.insert(at, pieces[next(pieces.size())]); break;
        case 1: text.erase(at, 1 + next(6)); break;
        default: text.insert(at, std::string(1 + next(80), "((((nnot "[next(9)])); break;
      }
    }
    INFO("text: " << text);
    const parsed p = parse_text(text);
    // A tree, or an error that says why not; every span inside the text.
    CHECK((p.result.tree.has_value() || triage::has_errors(p.result.issues)));
    if (p.result.ok()) ++with_tree;
    for (const triage::diagnostic& d : p.result.issues) {
      CHECK(d.where.begin <= d.where.end);
      CHECK(d.where.end <= p.src.text().size());
      CHECK_FALSE(d.message.empty());
      CHECK(d.message.find("::") == std::string::npos);
    }
  }
  CHECK(with_tree > 0);  // some damage leaves a valid policy, and it is accepted
}

TEST_CASE("a 10 MB single line parses without trouble") {
  SUBCASE("a rule followed by a 10 MB comment") {
    const parsed p = parse_ok("urgent if x # " + std::string(10'000'000, 'c'));
    CHECK(p.tree().rules.size() == 1);
  }
  SUBCASE("a 10 MB list of values") {
    std::string text = "urgent if tags has any [";
    while (text.size() < 10'000'000) text += "\"vpn\", ";
    text += "\"end\"]";
    const parsed p = parse_ok(text);
    CHECK(p.tree().rules[0].cond.values.size() == (text.size() - 30) / 7 + 1);
    CHECK(p.tree().rules[0].cond.values.back().text == "end");
  }
  SUBCASE("an error at the end of a 10 MB line has the right column") {
    const std::string text = std::string(10'000'000, ' ') + "}";
    check_syntax(text, 1, 10'000'001, "expected a declaration, a rule or a test, found '}'");
  }
  SUBCASE("10 MB of rules on one line stop at max_rules") {
    std::string text;
    while (text.size() < 10'000'000) text += "r if x ";
    check_only(text, {diagnostic_code::limit_exceeded, 1, 700'001,
                      "rule number 100001 is over the limit max_rules = 100000"});
  }
}

namespace {

// Inputs that would expose a parser that backtracks too much or rebuilds what it has
// built: each family makes a policy of n repetitions.
struct pathological_family {
  std::string name;
  std::string (*make)(int n);
  int n;
};

const pathological_family pathological_families[] = {
    {"and-chain",
     [](int n) {
       std::string s = "a if x";
       for (int i = 0; i < n; ++i) s += " and x";
       return s;
     },
     20'000},
    {"or-chain of comparisons",
     [](int n) {
       std::string s = "a if x == 1";
       for (int i = 0; i < n; ++i) s += " or x not in [1, 2]";
       return s;
     },
     10'000},
    {"long list",
     [](int n) {
       std::string s = "a if x in [1";
       for (int i = 0; i < n; ++i) s += ", 1h30m";
       return s + "]";
     },
     20'000},
    {"deep-but-allowed nesting, repeated",
     [](int n) {
       std::string s;
       for (int i = 0; i < n; ++i) {
         s += "a if " + std::string(64, '(') + "x" + std::string(64, ')') + "\n";
       }
       return s;
     },
     500},
    {"many items",
     [](int n) {
       std::string s;
       for (int i = 0; i < n; ++i) s += "field f: int required\noutput o: int first default 1\n";
       return s;
     },
     5'000},
    {"near-miss label and keyword prefixes",
     [](int n) {
       std::string s = "output first: flag\n";
       for (int i = 0; i < n; ++i) s += "first if firsts\nfirst: first if first\nrequired if in_x\n";
       return s;
     },
     3'000},  // 8n stays under max_rules
    {"not-not-not chains under the nesting limit",
     [](int n) {
       std::string s;
       for (int i = 0; i < n; ++i) s += "a if not not not not x and not y or not (not z)\n";
       return s;
     },
     3'000},
};

// How many times the grammar starts a rule: the parser's work, counted exactly. A PEG
// parser that re-reads input when it backtracks shows it here, on any machine.
std::size_t rule_attempts = 0;

// The parser's own control class, with a counter in start().
template <typename Rule>
struct counting_control : triage::detail::grammar::control<Rule> {
  template <typename ParseInput, typename... States>
  static void start(const ParseInput& /*in*/, States&&... /*st*/) noexcept {
    ++rule_attempts;
  }
};

std::size_t grammar_rule_attempts(const std::string& text) {
  triage_pegtl::memory_input in(text, "big.rules");
  rule_attempts = 0;
  const bool matched = triage_pegtl::parse<triage::detail::grammar::policy, triage_pegtl::nothing,
                                           counting_control>(in);
  REQUIRE(matched);
  return rule_attempts;
}

// Processor seconds to parse `text`. Processor time, not wall time, because the machine
// may be shared: time spent waiting for a core is not ours.
double parse_seconds(const triage::source_file& src) {
  const std::clock_t start = std::clock();
  const triage::parse_result r = triage::parse(src);
  const std::clock_t end = std::clock();
  REQUIRE(r.tree.has_value());
  return static_cast<double>(end - start) / CLOCKS_PER_SEC;
}

}  // namespace

TEST_CASE("the grammar's work grows linearly on pathological families") {
  for (const pathological_family& family : pathological_families) {
    CAPTURE(family.name);
    const std::size_t small = grammar_rule_attempts(family.make(family.n));
    const std::size_t large = grammar_rule_attempts(family.make(8 * family.n));
    MESSAGE(family.name << ": " << small << " rule attempts, " << large << " for 8 times the input");
    // Linear work is a + b·n: 8 times the input costs at most 8 times the attempts
    // (a quadratic parser would take 64 times).
    CHECK(large > small);
    CHECK(large <= 8 * small);
  }
}

// The whole parser, actions and tree building included, timed. Timings on a shared
// machine are noisy, so this check only catches what is far from linear: 8 times the
// input must take under 20 times as long (quadratic work would take 64 times), in at
// least one of five rounds that time the small and large input alternately, keeping the
// best of each. A neighbour that slows one round rarely slows all five; a quadratic
// parser is slow in every one.
TEST_CASE("parsing time grows linearly on pathological families") {
  for (const pathological_family& family : pathological_families) {
    CAPTURE(family.name);
    const triage::source_file small{"small.rules", family.make(family.n)};
    const triage::source_file large{"large.rules", family.make(8 * family.n)};
    double best_ratio = 1e9;
    double t_small = 1e9;
    double t_large = 1e9;
    for (int round = 0; round < 5 && best_ratio >= 20; ++round) {
      t_small = std::min(t_small, parse_seconds(small));
      t_large = std::min(t_large, parse_seconds(large));
      best_ratio = std::min(best_ratio, t_large / t_small);
    }
    MESSAGE(family.name << ": " << small.text().size() << " bytes in " << t_small * 1e3 << " ms, "
                        << large.text().size() << " bytes in " << t_large * 1e3 << " ms");
    CHECK(best_ratio < 20);
  }
}
