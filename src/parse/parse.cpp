// triage — stage 1: source text → syntax tree, with PEGTL actions building the tree.
#include "parse/grammar.hpp"  // first: it defines TAO_PEGTL_NAMESPACE before PEGTL

#include "triage/parse.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parse/literals.hpp"
#include "parse/text_check.hpp"

namespace triage {
namespace detail {
namespace {

namespace g = grammar;

// Thrown by an action after it recorded a `limit-exceeded` diagnostic that ends parsing.
struct stop_parsing {};

// Asks the grammar itself, so that the list of reserved words lives in one place.
bool is_reserved(std::string_view word) {
  triage_pegtl::memory_input<> in(word.data(), word.size(), "");
  return triage_pegtl::parse<triage_pegtl::seq<g::reserved_word, triage_pegtl::eof>>(in);
}

bool ends_with(std::string_view text, std::string_view suffix) noexcept {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Collects the tree while the grammar matches. Actions fire when a rule succeeds, so
// each item's parts gather in the scratch members below and the item's own action
// assembles them. Nothing the grammar backtracks over has an action, so no part is
// ever left over from an abandoned alternative.
struct builder {
  builder(const std::string& text, const limits& lim_in, diagnostics& issues_in)
      : base(text.data()), lim(lim_in), issues(issues_in) {}

  const char* base;
  const limits& lim;
  diagnostics& issues;
  ast::policy tree;

  // The declaration, rule or test being read.
  std::vector<ast::identifier> names;  // declared name; label and output; assignment name
  ast::type_spec type;
  std::optional<span> required;
  std::optional<ast::hit_keyword> policy;
  span policy_where;
  std::optional<span> default_keyword;
  std::optional<span> complete;
  std::optional<span> arrow;
  std::vector<ast::literal> literals;  // values not yet taken by their owner
  bool is_list = false;

  // Conditions: operands wait on a stack until their and/or/not/rule takes them.
  std::vector<ast::condition> conditions;
  std::vector<std::size_t> chain_starts;  // stack height where each open and/or chain began
  std::vector<span> nesting;              // the `(` and `not` enclosing the current point
  ast::identifier subject;
  bool has_op = false;
  ast::compare_op op = ast::compare_op::eq;
  span op_where;

  // Tests.
  ast::test_block test;
  bool in_expect = false;
  bool assignment_missing = false;

  // Where the innermost construct of each kind opened, for "unterminated" errors.
  std::uint32_t string_open = 0;
  std::uint32_t list_open = 0;
  std::uint32_t enum_open = 0;
  std::uint32_t test_open = 0;

  std::uint32_t offset_of(const char* p) const noexcept {
    return static_cast<std::uint32_t>(p - base);
  }

  void report(diagnostic_code code, span where, std::string message) {
    issues.push_back(make_diagnostic(code, where, std::move(message)));
  }

  void check_reserved(const ast::identifier& id, std::string_view what) {
    if (is_reserved(id.text)) {
      report(diagnostic_code::reserved_word, id.where,
             "'" + id.text + "' is a reserved word and cannot be used as " + std::string(what));
    }
  }

  ast::literal take_literal() {
    ast::literal lit = std::move(literals.front());
    literals.clear();
    return lit;
  }

  ast::condition pop_condition() {
    ast::condition c = std::move(conditions.back());
    conditions.pop_back();
    return c;
  }

  void reset_item() {
    names.clear();
    type = {};
    required.reset();
    policy.reset();
    policy_where = {};
    default_keyword.reset();
    complete.reset();
    arrow.reset();
    literals.clear();
    is_list = false;
  }

  // ---- literals ----

  void on_string_open(span where, std::string_view) { string_open = where.begin; }

  void on_string_literal(span where, std::string_view text) {
    ast::literal lit;
    lit.kind = ast::literal_kind::string;
    lit.where = where;
    const literal_problem problem = unescape_string(text.substr(1, text.size() - 2), lit.text);
    if (!problem.ok()) {
      lit.valid = false;
      const std::uint32_t at = where.begin + 1 + problem.offset;
      report(diagnostic_code::invalid_literal, {at, at + problem.length}, problem.message);
    }
    if (lit.text.size() > lim.max_string_bytes) {
      report(diagnostic_code::limit_exceeded, where,
             fmt::format("string literal is {} bytes, over the limit max_string_bytes = {}",
                         lit.text.size(), lim.max_string_bytes));
    }
    literals.push_back(std::move(lit));
  }

  void on_numeric_literal(span where, std::string_view text) {
    ast::literal lit;
    lit.where = where;
    const literal_problem problem = decode_numeric(text, lit);
    if (!problem.ok()) {
      lit.valid = false;
      report(diagnostic_code::invalid_literal,
             {where.begin + problem.offset, where.begin + problem.offset + problem.length},
             problem.message);
    }
    literals.push_back(std::move(lit));
  }

  void on_boolean(span where, std::string_view text) {
    ast::literal lit;
    lit.kind = ast::literal_kind::boolean;
    lit.boolean = text == "true";
    lit.where = where;
    literals.push_back(std::move(lit));
  }

  void on_name_literal(span where, std::string_view text) {
    ast::literal lit;
    lit.kind = ast::literal_kind::name;
    lit.text = std::string(text);
    lit.where = where;
    literals.push_back(std::move(lit));
  }

  void on_list_open(span where, std::string_view) {
    list_open = where.begin;
    is_list = true;
  }

  // ---- types ----

  template <ast::type_name Name>
  void on_type_word(span where, std::string_view) {
    type.name = Name;
    type.where = where;
  }

  void on_enum_open(span where, std::string_view) { enum_open = where.begin; }

  void on_enum_member(span where, std::string_view text) {
    ast::identifier id{std::string(text), where};
    check_reserved(id, "an enum member");
    type.members.push_back(std::move(id));
  }

  void on_enum_type(span where, std::string_view) {
    type.name = ast::type_name::enumeration;
    type.where = where;
  }

  // ---- declarations ----

  template <const char* What>
  void on_declared_name(span where, std::string_view text) {
    ast::identifier id{std::string(text), where};
    check_reserved(id, What);
    names.push_back(std::move(id));
  }

  void on_required(span where, std::string_view) { required = where; }

  template <ast::hit_keyword Keyword>
  void on_policy(span where, std::string_view) {
    policy = Keyword;
    policy_where = where;
  }

  void on_default(span where, std::string_view) { default_keyword = where; }
  void on_complete(span where, std::string_view) { complete = where; }

  void on_field_decl(span where, std::string_view) {
    ast::field_decl decl;
    decl.name = std::move(names.front());
    decl.type = std::move(type);
    decl.required = required;
    decl.where = where;
    tree.fields.push_back(std::move(decl));
    reset_item();
  }

  void on_output_decl(span where, std::string_view) {
    ast::output_decl decl;
    decl.name = std::move(names.front());
    decl.type = std::move(type);
    decl.policy = policy;
    decl.policy_where = policy_where;
    if (!literals.empty()) decl.default_value = take_literal();
    decl.default_keyword = default_keyword;
    decl.complete = complete;
    decl.where = where;
    tree.outputs.push_back(std::move(decl));
    reset_item();
  }

  void on_let_decl(span where, std::string_view) {
    ast::let_decl decl;
    decl.name = std::move(names.front());
    decl.cond = pop_condition();
    decl.where = where;
    tree.lets.push_back(std::move(decl));
    reset_item();
  }

  // ---- rules ----

  void on_rule_name(span where, std::string_view text) {
    names.push_back({std::string(text), where});
  }

  void on_reserved_label(span where, std::string_view text) {
    names.push_back({std::string(text), where});
    check_reserved(names.back(), "a label");
  }

  void on_reserved_output(span where, std::string_view text) {
    names.push_back({std::string(text), where});
    check_reserved(names.back(), "an output name");
  }

  void on_arrow(span where, std::string_view) { arrow = where; }

  void on_rule(span where, std::string_view) {
    if (tree.rules.size() >= lim.max_rules) {
      report(diagnostic_code::limit_exceeded, where,
             fmt::format("rule number {} is over the limit max_rules = {}", tree.rules.size() + 1,
                         lim.max_rules));
      throw stop_parsing{};
    }
    ast::rule r;
    if (names.size() == 2) r.label = std::move(names.front());
    r.output = std::move(names.back());
    r.cond = pop_condition();
    if (!literals.empty()) r.value = take_literal();
    r.arrow = arrow;
    r.where = where;
    tree.rules.push_back(std::move(r));
    reset_item();
  }

  // ---- conditions ----

  // A `(` or a `not` opens one more level; refuse it before the grammar recurses into it,
  // so that no input, however deep, can exhaust the stack.
  void enter_nesting(span where, std::string_view) {
    if (nesting.size() >= lim.max_nesting) {
      report(diagnostic_code::limit_exceeded, where,
             fmt::format("condition nesting depth {} is over the limit max_nesting = {}",
                         nesting.size() + 1, lim.max_nesting));
      throw stop_parsing{};
    }
    nesting.push_back(where);
  }

  void on_parenthesised(span, std::string_view) { nesting.pop_back(); }

  void on_negated(span where, std::string_view) {
    nesting.pop_back();
    ast::condition c;
    c.kind = ast::condition_kind::negate;
    c.where = where;
    c.operands.push_back(pop_condition());
    conditions.push_back(std::move(c));
  }

  void on_chain_start(span, std::string_view) { chain_starts.push_back(conditions.size()); }

  template <ast::condition_kind Kind>
  void on_chain(span where, std::string_view) {
    const std::size_t start = chain_starts.back();
    chain_starts.pop_back();
    if (conditions.size() - start < 2) return;  // one operand: no and/or node
    ast::condition c;
    c.kind = Kind;
    c.where = where;
    c.operands.reserve(conditions.size() - start);
    for (std::size_t i = start; i < conditions.size(); ++i) {
      c.operands.push_back(std::move(conditions[i]));
    }
    conditions.resize(start);
    conditions.push_back(std::move(c));
  }

  void on_subject(span where, std::string_view text) {
    subject = {std::string(text), where};
    has_op = false;
  }

  template <ast::compare_op Op>
  void on_op(span where, std::string_view) {
    has_op = true;
    op = Op;
    op_where = where;
  }

  void on_has(span where, std::string_view text) {
    has_op = true;
    op = ends_with(text, "any")   ? ast::compare_op::has_any
         : ends_with(text, "all") ? ast::compare_op::has_all
                                  : ast::compare_op::has;
    op_where = where;
  }

  void on_is(span where, std::string_view text) {
    has_op = true;
    op = ends_with(text, "missing") ? ast::compare_op::is_missing : ast::compare_op::is_present;
    op_where = where;
  }

  void on_comparison(span where, std::string_view) {
    ast::condition c;
    c.subject = std::move(subject);
    if (has_op) {
      c.kind = ast::condition_kind::compare;
      c.where = where;
      c.op = op;
      c.op_where = op_where;
      c.values = std::move(literals);
      c.is_list = is_list;
    } else {
      c.kind = ast::condition_kind::name;
      c.where = c.subject.where;
    }
    literals.clear();
    is_list = false;
    has_op = false;
    conditions.push_back(std::move(c));
  }

  // ---- tests ----

  void on_test_name(span, std::string_view) {
    ast::literal name = take_literal();
    test.name = std::move(name.text);
    test.name_where = name.where;
  }

  void on_test_open(span where, std::string_view) { test_open = where.begin; }
  void on_given(span, std::string_view) { in_expect = false; }
  void on_expect(span, std::string_view) { in_expect = true; }

  void on_assignment_name(span where, std::string_view text) {
    names.push_back({std::string(text), where});
    check_reserved(names.back(), in_expect ? "an output name" : "a field name");
  }

  void on_is_missing(span, std::string_view) { assignment_missing = true; }

  void on_assignment(span where, std::string_view) {
    ast::assignment a;
    a.name = std::move(names.front());
    a.values = std::move(literals);
    a.is_list = is_list;
    a.is_missing = assignment_missing;
    a.where = where;
    (in_expect ? test.expect : test.given).push_back(std::move(a));
    names.clear();
    literals.clear();
    is_list = false;
    assignment_missing = false;
  }

  void on_test_block(span where, std::string_view) {
    test.where = where;
    tree.tests.push_back(std::move(test));
    test = {};
    in_expect = false;
    reset_item();
  }
};

constexpr char a_field_name[] = "a field name";
constexpr char an_output_name[] = "an output name";
constexpr char a_let_name[] = "a let name";

// Calls a builder member with the matched rule's span and text.
template <void (builder::*Handler)(span, std::string_view)>
struct call {
  template <typename ActionInput>
  static void apply(const ActionInput& in, builder& b) {
    (b.*Handler)({b.offset_of(in.begin()), b.offset_of(in.end())}, in.string_view());
  }
};

template <typename Rule>
struct action : triage_pegtl::nothing<Rule> {};

// clang-format off
template <> struct action<g::string_open> : call<&builder::on_string_open> {};
template <> struct action<g::string_literal> : call<&builder::on_string_literal> {};
template <> struct action<g::numeric_literal> : call<&builder::on_numeric_literal> {};
template <> struct action<g::true_literal> : call<&builder::on_boolean> {};
template <> struct action<g::false_literal> : call<&builder::on_boolean> {};
template <> struct action<g::name_literal> : call<&builder::on_name_literal> {};
template <> struct action<g::list_open> : call<&builder::on_list_open> {};

template <> struct action<g::bool_type> : call<&builder::on_type_word<ast::type_name::boolean>> {};
template <> struct action<g::int_type> : call<&builder::on_type_word<ast::type_name::integer>> {};
template <> struct action<g::number_type> : call<&builder::on_type_word<ast::type_name::number>> {};
template <> struct action<g::duration_type> : call<&builder::on_type_word<ast::type_name::duration>> {};
template <> struct action<g::string_type> : call<&builder::on_type_word<ast::type_name::string>> {};
template <> struct action<g::tags_type> : call<&builder::on_type_word<ast::type_name::tags>> {};
template <> struct action<g::flag_type> : call<&builder::on_type_word<ast::type_name::flag>> {};
template <> struct action<g::enum_open> : call<&builder::on_enum_open> {};
template <> struct action<g::enum_member> : call<&builder::on_enum_member> {};
template <> struct action<g::enum_type> : call<&builder::on_enum_type> {};

template <> struct action<g::field_name> : call<&builder::on_declared_name<a_field_name>> {};
template <> struct action<g::output_name> : call<&builder::on_declared_name<an_output_name>> {};
template <> struct action<g::let_name> : call<&builder::on_declared_name<a_let_name>> {};
template <> struct action<g::required_keyword> : call<&builder::on_required> {};
template <> struct action<g::policy_first> : call<&builder::on_policy<ast::hit_keyword::first>> {};
template <> struct action<g::policy_max> : call<&builder::on_policy<ast::hit_keyword::max>> {};
template <> struct action<g::policy_min> : call<&builder::on_policy<ast::hit_keyword::min>> {};
template <> struct action<g::policy_unique> : call<&builder::on_policy<ast::hit_keyword::unique>> {};
template <> struct action<g::policy_collect> : call<&builder::on_policy<ast::hit_keyword::collect>> {};
template <> struct action<g::policy_sum> : call<&builder::on_policy<ast::hit_keyword::sum>> {};
template <> struct action<g::default_keyword> : call<&builder::on_default> {};
template <> struct action<g::complete_keyword> : call<&builder::on_complete> {};
template <> struct action<g::field_decl> : call<&builder::on_field_decl> {};
template <> struct action<g::output_decl> : call<&builder::on_output_decl> {};
template <> struct action<g::let_decl> : call<&builder::on_let_decl> {};

template <> struct action<g::rule_name> : call<&builder::on_rule_name> {};
template <> struct action<g::reserved_label> : call<&builder::on_reserved_label> {};
template <> struct action<g::reserved_output> : call<&builder::on_reserved_output> {};
template <> struct action<g::arrow> : call<&builder::on_arrow> {};
template <> struct action<g::rule> : call<&builder::on_rule> {};

template <> struct action<g::paren_open> : call<&builder::enter_nesting> {};
template <> struct action<g::not_keyword> : call<&builder::enter_nesting> {};
template <> struct action<g::parenthesised> : call<&builder::on_parenthesised> {};
template <> struct action<g::negated> : call<&builder::on_negated> {};
template <> struct action<g::chain_start> : call<&builder::on_chain_start> {};
template <> struct action<g::conjunction> : call<&builder::on_chain<ast::condition_kind::all_of>> {};
template <> struct action<g::disjunction> : call<&builder::on_chain<ast::condition_kind::any_of>> {};
template <> struct action<g::subject> : call<&builder::on_subject> {};
template <> struct action<g::op_eq> : call<&builder::on_op<ast::compare_op::eq>> {};
template <> struct action<g::op_ne> : call<&builder::on_op<ast::compare_op::ne>> {};
template <> struct action<g::op_lt> : call<&builder::on_op<ast::compare_op::lt>> {};
template <> struct action<g::op_le> : call<&builder::on_op<ast::compare_op::le>> {};
template <> struct action<g::op_gt> : call<&builder::on_op<ast::compare_op::gt>> {};
template <> struct action<g::op_ge> : call<&builder::on_op<ast::compare_op::ge>> {};
template <> struct action<g::op_in> : call<&builder::on_op<ast::compare_op::in>> {};
template <> struct action<g::op_not_in> : call<&builder::on_op<ast::compare_op::not_in>> {};
template <> struct action<g::op_contains> : call<&builder::on_op<ast::compare_op::contains>> {};
template <> struct action<g::op_starts_with> : call<&builder::on_op<ast::compare_op::starts_with>> {};
template <> struct action<g::op_ends_with> : call<&builder::on_op<ast::compare_op::ends_with>> {};
template <> struct action<g::op_has> : call<&builder::on_has> {};
template <> struct action<g::op_is> : call<&builder::on_is> {};
template <> struct action<g::comparison> : call<&builder::on_comparison> {};

template <> struct action<g::test_name> : call<&builder::on_test_name> {};
template <> struct action<g::test_open> : call<&builder::on_test_open> {};
template <> struct action<g::given_keyword> : call<&builder::on_given> {};
template <> struct action<g::expect_keyword> : call<&builder::on_expect> {};
template <> struct action<g::assignment_name> : call<&builder::on_assignment_name> {};
template <> struct action<g::is_missing> : call<&builder::on_is_missing> {};
template <> struct action<g::assignment> : call<&builder::on_assignment> {};
template <> struct action<g::test_block> : call<&builder::on_test_block> {};
// clang-format on

// ---- syntax errors ----

// The token after a syntax error's position, for "..., found X".
struct found_token {
  span where;
  std::string description;  // "'bool'", "end of file", "character U+0007"
  bool end_of_file = false;
};

bool is_ident_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

found_token next_token(std::string_view text, std::size_t at) {
  // Skip whitespace and comments: the offending token is the next thing a reader sees.
  while (at < text.size()) {
    const char c = text[at];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
      ++at;
    } else if (c == '#') {
      const std::size_t eol = text.find('\n', at);
      at = eol == std::string_view::npos ? text.size() : eol;
    } else {
      break;
    }
  }
  const auto make = [&](std::size_t length) {
    return found_token{{static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(at + length)},
                       quote_text(text.substr(at, length)),
                       false};
  };
  if (at >= text.size()) {
    const auto end = static_cast<std::uint32_t>(text.size());
    return {{end, end}, "end of file", true};
  }
  const char c = text[at];
  std::size_t length = 1;
  if (is_ident_char(c) || (c == '-' && at + 1 < text.size() && text[at + 1] >= '0' &&
                           text[at + 1] <= '9')) {
    // A word or a number, with whatever letters and dots are stuck to it.
    const bool number = c == '-' || (c >= '0' && c <= '9');
    while (at + length < text.size() && (is_ident_char(text[at + length]) ||
                                         (number && text[at + length] == '.'))) {
      ++length;
    }
    return make(length);
  }
  if (c == '"') {
    while (at + length < text.size() && text[at + length] != '"' && text[at + length] != '\n' &&
           text[at + length] != '\r') {
      length += text[at + length] == '\\' ? 2 : 1;
    }
    length = std::min(length + 1, text.size() - at);
    return make(length);
  }
  static constexpr std::array<std::string_view, 5> pairs = {"->", "==", "!=", "<=", ">="};
  for (const std::string_view pair : pairs) {
    if (text.substr(at, 2) == pair) return make(2);
  }
  const auto byte = static_cast<unsigned char>(c);
  if (byte < 0x20 || byte == 0x7F) {
    return {{static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(at + 1)},
            fmt::format("character U+{:04X}", byte),
            false};
  }
  // One whole UTF-8 character (the text was validated before parsing).
  while (at + length < text.size() &&
         (static_cast<unsigned char>(text[at + length]) & 0xC0u) == 0x80u) {
    ++length;
  }
  return make(length);
}

// Where the last token before `at` ends, skipping back over whitespace and comments: an
// error at the end of the file is shown there, right after what was written last,
// rather than on an empty line below it.
std::size_t end_of_last_token(std::string_view text, std::size_t at) {
  std::size_t p = std::min(at, text.size());
  for (;;) {
    while (p > 0 && (text[p - 1] == ' ' || text[p - 1] == '\t' || text[p - 1] == '\n' ||
                     text[p - 1] == '\r' || text[p - 1] == '\v' || text[p - 1] == '\f')) {
      --p;
    }
    if (p == 0) return 0;
    // A '#' outside a string on this line starts a comment: skip back to before it. Each
    // line is scanned once, so this stays linear however many comment lines there are.
    const std::size_t line_start = text.rfind('\n', p - 1) == std::string_view::npos
                                       ? 0
                                       : text.rfind('\n', p - 1) + 1;
    std::size_t comment = std::string_view::npos;
    bool in_string = false;
    for (std::size_t i = line_start; i < p; ++i) {
      if (in_string && text[i] == '\\') {
        ++i;
      } else if (text[i] == '"') {
        in_string = !in_string;
      } else if (text[i] == '#' && !in_string) {
        comment = i;
        break;
      }
    }
    if (comment == std::string_view::npos) return p;
    p = comment;
  }
}

template <typename Rule>
bool is_message_of(std::string_view message) noexcept {
  return message == g::error_message<Rule>;
}

diagnostic syntax_error(const triage_pegtl::parse_error& e, std::string_view text,
                        const builder& b) {
  const std::size_t at = e.positions().empty() ? text.size() : e.positions().front().byte;
  const found_token found = next_token(text, at);
  std::string message(e.message());
  span where = found.where;
  const auto opener = [](std::uint32_t offset) { return span{offset, offset + 1}; };

  if (is_message_of<g::expect_string_close>(message)) {
    // Underline the string from its opening quote to where the line (or file) ends.
    where = {b.string_open, static_cast<std::uint32_t>(at)};
  } else if (is_message_of<g::expect_operand>(message)) {
    message = "expected a value after '" + std::string(op_text(b.op)) + "'";
  } else if (found.end_of_file) {
    // At the end of the file, point at what was left open rather than at nothing.
    if (is_message_of<g::expect_list_close>(message)) {
      message = "unterminated list: expected ']'";
      where = opener(b.list_open);
    } else if (is_message_of<g::expect_enum_close>(message)) {
      message = "unterminated enum: expected '}'";
      where = opener(b.enum_open);
    } else if (is_message_of<g::expect_test_close>(message)) {
      message = "unterminated test: expected '}'";
      where = opener(b.test_open);
    } else if (is_message_of<g::expect_paren_close>(message) && !b.nesting.empty()) {
      message = "unterminated parenthesis: expected ')'";
      // The innermost `(` still open (a `not` may sit between it and the end).
      for (auto it = b.nesting.rbegin(); it != b.nesting.rend(); ++it) {
        if (text[it->begin] == '(') {
          where = *it;
          break;
        }
      }
    } else {
      const auto end = static_cast<std::uint32_t>(end_of_last_token(text, at));
      where = {end, end};
    }
  }
  if (message.rfind("expected", 0) == 0) message += ", found " + found.description;
  diagnostic d = make_diagnostic(diagnostic_code::syntax, where, std::move(message));

  // `priority if urgency == high P1` reads `P1` as the start of the next rule. When a
  // would-be rule starts on the line where an arrow-less rule ends, say what happened.
  if (is_message_of<g::expect_if>(e.message()) && b.names.size() == 1 && !b.tree.rules.empty()) {
    const ast::rule& before = b.tree.rules.back();
    const ast::identifier& name = b.names.front();
    const std::string_view between =
        text.substr(before.where.end, name.where.begin - before.where.end);
    if (!before.arrow && between.find('\n') == std::string_view::npos) {
      d.notes.push_back({name.where, "'" + name.text +
                                         "' is read as the start of a new rule; to give the rule "
                                         "before it a value, write '-> " +
                                         name.text + "'"});
    }
  }
  return d;
}

bool stops_tree(const diagnostic& d) noexcept {
  return d.code == diagnostic_code::syntax || d.code == diagnostic_code::limit_exceeded;
}

}  // namespace
}  // namespace detail

parse_result parse(const source_file& source, const limits& lim) {
  parse_result result;
  const std::string& text = source.text();

  // Spans are 32-bit, so a text past 4 GiB is refused whatever the configured limit.
  if (text.size() > lim.max_file_bytes || text.size() > std::numeric_limits<std::uint32_t>::max()) {
    result.issues.push_back(make_diagnostic(
        diagnostic_code::limit_exceeded, {0, 0},
        fmt::format("policy is {} bytes, over the limit max_file_bytes = {}", text.size(),
                    lim.max_file_bytes)));
    return result;
  }
  if (auto problem = detail::check_text(text)) {
    result.issues.push_back(std::move(*problem));
    return result;
  }

  detail::builder b(text, lim, result.issues);
  triage_pegtl::memory_input<triage_pegtl::tracking_mode::lazy, triage_pegtl::eol::lf_crlf> in(
      text.data(), text.size(), source.name());
  bool complete = false;
  try {
    complete = triage_pegtl::parse<detail::grammar::policy, detail::action,
                                   detail::grammar::control>(in, b);
  } catch (const triage_pegtl::parse_error& e) {
    result.issues.push_back(detail::syntax_error(e, text, b));
  } catch (const detail::stop_parsing&) {
    // The limit that stopped parsing is already reported.
  }
  if (complete && std::none_of(result.issues.begin(), result.issues.end(), detail::stops_tree)) {
    result.tree = std::move(b.tree);
  }
  return result;
}

}  // namespace triage
