// triage — the PEGTL grammar of the rule language (internal to the parser).
//
// Each rule carries its PEG line above it; grammar/triage.peg is the same grammar as
// text, with the same rule names. Conventions that keep the tree's spans exact and the
// parse linear:
//   - `sep` (whitespace and comments) sits only BETWEEN the tokens of a rule, never at
//     its ends, so every rule's match (and span) starts and ends on a token;
//   - alternatives that share a prefix are factored (a comparison starts with its
//     subject once; `not in` after a subject; `has any`/`has all`; label vs rule head),
//     so the parser never re-reads more than one token when it backtracks;
//   - every `expect_*` rule is a commit point: it is used only inside `must<>` and has
//     an entry in the one `error_message` table below, so its failure is a syntax error
//     whose message never names a C++ type.
// Nesting of `(` and `not` is bounded by the parser's actions (see parse.cpp), which
// throw before the grammar recurses one level too deep.
#ifndef TRIAGE_SRC_PARSE_GRAMMAR_HPP
#define TRIAGE_SRC_PARSE_GRAMMAR_HPP

// PEGTL's docs ask libraries to move it into a namespace of their own, so that a user of
// triage may use another PEGTL version without clashes. This header is the only place
// PEGTL is included.
#define TAO_PEGTL_NAMESPACE triage_pegtl

#include <tao/pegtl.hpp>
#include <tao/pegtl/contrib/analyze.hpp>
#include <tao/pegtl/must_if.hpp>

namespace triage::detail::grammar {

using namespace triage_pegtl;  // NOLINT(google-build-using-namespace): grammar DSL

// clang-format off

// ---- lexical ------------------------------------------------------------------------

// comment <- '#' (!'\n' .)*
struct comment : seq< one< '#' >, star< not_one< '\n' > > > {};
// space_char <- [ \t\n\r\v\f]
struct space_char : space {};
// sep <- (space_char / comment)*
struct sep : star< sor< space_char, comment > > {};
// ident_char <- [A-Za-z0-9_]
struct ident_char : identifier_other {};
// identifier <- [A-Za-z_] ident_char*
struct identifier : seq< identifier_first, star< ident_char > > {};

// kw_field <- 'field' !ident_char
struct kw_field : keyword< 'f', 'i', 'e', 'l', 'd' > {};
// kw_output <- 'output' !ident_char
struct kw_output : keyword< 'o', 'u', 't', 'p', 'u', 't' > {};
// kw_let <- 'let' !ident_char
struct kw_let : keyword< 'l', 'e', 't' > {};
// kw_if <- 'if' !ident_char
struct kw_if : keyword< 'i', 'f' > {};
// kw_and <- 'and' !ident_char
struct kw_and : keyword< 'a', 'n', 'd' > {};
// kw_or <- 'or' !ident_char
struct kw_or : keyword< 'o', 'r' > {};
// kw_not <- 'not' !ident_char
struct kw_not : keyword< 'n', 'o', 't' > {};
// kw_in <- 'in' !ident_char
struct kw_in : keyword< 'i', 'n' > {};
// kw_has <- 'has' !ident_char
struct kw_has : keyword< 'h', 'a', 's' > {};
// kw_any <- 'any' !ident_char
struct kw_any : keyword< 'a', 'n', 'y' > {};
// kw_all <- 'all' !ident_char
struct kw_all : keyword< 'a', 'l', 'l' > {};
// kw_is <- 'is' !ident_char
struct kw_is : keyword< 'i', 's' > {};
// kw_missing <- 'missing' !ident_char
struct kw_missing : keyword< 'm', 'i', 's', 's', 'i', 'n', 'g' > {};
// kw_present <- 'present' !ident_char
struct kw_present : keyword< 'p', 'r', 'e', 's', 'e', 'n', 't' > {};
// kw_true <- 'true' !ident_char
struct kw_true : keyword< 't', 'r', 'u', 'e' > {};
// kw_false <- 'false' !ident_char
struct kw_false : keyword< 'f', 'a', 'l', 's', 'e' > {};
// kw_test <- 'test' !ident_char
struct kw_test : keyword< 't', 'e', 's', 't' > {};
// kw_given <- 'given' !ident_char
struct kw_given : keyword< 'g', 'i', 'v', 'e', 'n' > {};
// kw_expect <- 'expect' !ident_char
struct kw_expect : keyword< 'e', 'x', 'p', 'e', 'c', 't' > {};
// kw_contains <- 'contains' !ident_char
struct kw_contains : keyword< 'c', 'o', 'n', 't', 'a', 'i', 'n', 's' > {};
// kw_starts_with <- 'starts_with' !ident_char
struct kw_starts_with : keyword< 's', 't', 'a', 'r', 't', 's', '_', 'w', 'i', 't', 'h' > {};
// kw_ends_with <- 'ends_with' !ident_char
struct kw_ends_with : keyword< 'e', 'n', 'd', 's', '_', 'w', 'i', 't', 'h' > {};

// reserved_word <- kw_field / kw_output / kw_let / kw_if / kw_and / kw_or / kw_not / kw_in
//                / kw_has / kw_any / kw_all / kw_is / kw_missing / kw_present / kw_true
//                / kw_false / kw_test / kw_given / kw_expect / kw_contains
//                / kw_starts_with / kw_ends_with
struct reserved_word : sor< kw_field, kw_output, kw_let, kw_if, kw_and, kw_or, kw_not, kw_in,
                            kw_has, kw_any, kw_all, kw_is, kw_missing, kw_present, kw_true,
                            kw_false, kw_test, kw_given, kw_expect, kw_contains,
                            kw_starts_with, kw_ends_with > {};
// name <- !reserved_word identifier
struct name : seq< not_at< reserved_word >, identifier > {};

// A declaration keyword (`required`, `first`, `default`, ...) that could also begin the
// next item is that item's start when `if` or `:` follows it (language reference 2).
// not_next_item <- !(sep (kw_if / ':'))
struct not_next_item : not_at< sep, sor< kw_if, one< ':' > > > {};

// ---- literals -----------------------------------------------------------------------

// digits <- [0-9]+
struct digits : plus< digit > {};
// expect_fraction_digits <- digits
struct expect_fraction_digits : seq< digits > {};
// fraction <- '.' expect_fraction_digits
struct fraction : seq< one< '.' >, must< expect_fraction_digits > > {};
// duration_unit <- [wdhms]
struct duration_unit : one< 'w', 'd', 'h', 'm', 's' > {};
// expect_duration_unit <- duration_unit
struct expect_duration_unit : seq< duration_unit > {};
// duration_tail <- duration_unit (digits expect_duration_unit)*
struct duration_tail : seq< duration_unit, star< digits, must< expect_duration_unit > > > {};
// expect_literal_end <- !(ident_char / '.')
struct expect_literal_end : not_at< sor< ident_char, one< '.' > > > {};
// numeric_literal <- '-'? digits (fraction / duration_tail)? expect_literal_end
struct numeric_literal : seq< opt< one< '-' > >, digits, opt< sor< fraction, duration_tail > >,
                              must< expect_literal_end > > {};

// string_open <- '"'
struct string_open : one< '"' > {};
// string_char <- '\\' ![\r\n] . / ![\"\\\r\n] .
struct string_char : sor< seq< one< '\\' >, not_one< '\r', '\n' > >,
                          not_one< '"', '\\', '\r', '\n' > > {};
// expect_string_close <- '"'
struct expect_string_close : one< '"' > {};
// string_literal <- string_open string_char* expect_string_close
struct string_literal : seq< string_open, star< string_char >, must< expect_string_close > > {};

// true_literal <- kw_true
struct true_literal : seq< kw_true > {};
// false_literal <- kw_false
struct false_literal : seq< kw_false > {};
// name_literal <- name
struct name_literal : seq< name > {};
// literal <- string_literal / numeric_literal / true_literal / false_literal / name_literal
struct literal : sor< string_literal, numeric_literal, true_literal, false_literal, name_literal > {};

// list_open <- '['
struct list_open : one< '[' > {};
// expect_list_value <- literal
struct expect_list_value : seq< literal > {};
// expect_list_close <- ']'
struct expect_list_close : one< ']' > {};
// list <- list_open sep expect_list_value (sep ',' sep literal)* (sep ',')? sep expect_list_close
struct list : seq< list_open, sep, must< expect_list_value >, star< sep, one< ',' >, sep, literal >,
                   opt< sep, one< ',' > >, sep, must< expect_list_close > > {};
// value <- list / literal
struct value : sor< list, literal > {};

// ---- types --------------------------------------------------------------------------

// bool_type <- 'bool' !ident_char
struct bool_type : keyword< 'b', 'o', 'o', 'l' > {};
// int_type <- 'int' !ident_char
struct int_type : keyword< 'i', 'n', 't' > {};
// number_type <- 'number' !ident_char
struct number_type : keyword< 'n', 'u', 'm', 'b', 'e', 'r' > {};
// duration_type <- 'duration' !ident_char
struct duration_type : keyword< 'd', 'u', 'r', 'a', 't', 'i', 'o', 'n' > {};
// string_type <- 'string' !ident_char
struct string_type : keyword< 's', 't', 'r', 'i', 'n', 'g' > {};
// tags_type <- 'tags' !ident_char
struct tags_type : keyword< 't', 'a', 'g', 's' > {};
// flag_type <- 'flag' !ident_char
struct flag_type : keyword< 'f', 'l', 'a', 'g' > {};
// kw_enum <- 'enum' !ident_char
struct kw_enum : keyword< 'e', 'n', 'u', 'm' > {};
// enum_open <- '{'
struct enum_open : one< '{' > {};
// expect_enum_open <- enum_open
struct expect_enum_open : seq< enum_open > {};
// enum_member <- identifier   (a reserved word is reported, then kept)
struct enum_member : identifier {};
// enum_members <- enum_member (sep ',' sep enum_member)* (sep ',')?
struct enum_members : seq< enum_member, star< sep, one< ',' >, sep, enum_member >, opt< sep, one< ',' > > > {};
// expect_enum_close <- '}'
struct expect_enum_close : one< '}' > {};
// enum_type <- kw_enum sep expect_enum_open sep enum_members? sep expect_enum_close
struct enum_type : seq< kw_enum, sep, must< expect_enum_open >, sep, opt< enum_members >, sep,
                        must< expect_enum_close > > {};
// type <- enum_type / bool_type / int_type / number_type / duration_type / string_type
//       / tags_type / flag_type
struct type : sor< enum_type, bool_type, int_type, number_type, duration_type, string_type,
                   tags_type, flag_type > {};

// ---- field --------------------------------------------------------------------------

// field_name <- identifier   (a reserved word is reported, then kept)
struct field_name : identifier {};
// expect_field_name <- field_name
struct expect_field_name : seq< field_name > {};
// expect_field_colon <- ':'
struct expect_field_colon : one< ':' > {};
// expect_field_type <- type
struct expect_field_type : seq< type > {};
// required_keyword <- 'required' !ident_char not_next_item
struct required_keyword : seq< keyword< 'r', 'e', 'q', 'u', 'i', 'r', 'e', 'd' >, not_next_item > {};
// field_decl <- kw_field sep expect_field_name sep expect_field_colon sep expect_field_type
//               (sep required_keyword)?
struct field_decl : seq< kw_field, sep, must< expect_field_name >, sep, must< expect_field_colon >,
                         sep, must< expect_field_type >, opt< sep, required_keyword > > {};

// ---- output -------------------------------------------------------------------------

// output_name <- identifier   (a reserved word is reported, then kept)
struct output_name : identifier {};
// expect_output_name <- output_name
struct expect_output_name : seq< output_name > {};
// expect_output_colon <- ':'
struct expect_output_colon : one< ':' > {};
// expect_output_type <- type
struct expect_output_type : seq< type > {};
// policy_first <- 'first' !ident_char not_next_item
struct policy_first : seq< keyword< 'f', 'i', 'r', 's', 't' >, not_next_item > {};
// policy_max <- 'max' !ident_char not_next_item
struct policy_max : seq< keyword< 'm', 'a', 'x' >, not_next_item > {};
// policy_min <- 'min' !ident_char not_next_item
struct policy_min : seq< keyword< 'm', 'i', 'n' >, not_next_item > {};
// policy_unique <- 'unique' !ident_char not_next_item
struct policy_unique : seq< keyword< 'u', 'n', 'i', 'q', 'u', 'e' >, not_next_item > {};
// policy_collect <- 'collect' !ident_char not_next_item
struct policy_collect : seq< keyword< 'c', 'o', 'l', 'l', 'e', 'c', 't' >, not_next_item > {};
// policy_sum <- 'sum' !ident_char not_next_item
struct policy_sum : seq< keyword< 's', 'u', 'm' >, not_next_item > {};
// hit_policy <- policy_first / policy_max / policy_min / policy_unique / policy_collect / policy_sum
struct hit_policy : sor< policy_first, policy_max, policy_min, policy_unique, policy_collect, policy_sum > {};
// default_keyword <- 'default' !ident_char not_next_item
struct default_keyword : seq< keyword< 'd', 'e', 'f', 'a', 'u', 'l', 't' >, not_next_item > {};
// complete_keyword <- 'complete' !ident_char not_next_item
struct complete_keyword : seq< keyword< 'c', 'o', 'm', 'p', 'l', 'e', 't', 'e' >, not_next_item > {};
// expect_default_value <- literal
struct expect_default_value : seq< literal > {};
// default_clause <- default_keyword sep expect_default_value
struct default_clause : seq< default_keyword, sep, must< expect_default_value > > {};
// output_options <- default_clause (sep complete_keyword)? / complete_keyword (sep default_clause)?
struct output_options : sor< seq< default_clause, opt< sep, complete_keyword > >,
                             seq< complete_keyword, opt< sep, default_clause > > > {};
// output_decl <- kw_output sep expect_output_name sep expect_output_colon sep expect_output_type
//                (sep hit_policy)? (sep output_options)?
struct output_decl : seq< kw_output, sep, must< expect_output_name >, sep, must< expect_output_colon >,
                          sep, must< expect_output_type >, opt< sep, hit_policy >,
                          opt< sep, output_options > > {};

// ---- conditions ---------------------------------------------------------------------

struct disjunction;

// condition <- disjunction
struct condition : seq< disjunction > {};

// op_eq <- '=='
struct op_eq : string< '=', '=' > {};
// op_ne <- '!='
struct op_ne : string< '!', '=' > {};
// op_le <- '<='
struct op_le : string< '<', '=' > {};
// op_lt <- '<'
struct op_lt : one< '<' > {};
// op_ge <- '>='
struct op_ge : string< '>', '=' > {};
// op_gt <- '>'
struct op_gt : one< '>' > {};
// symbol_op <- op_eq / op_ne / op_le / op_lt / op_ge / op_gt
struct symbol_op : sor< op_eq, op_ne, op_le, op_lt, op_ge, op_gt > {};
// op_in <- kw_in
struct op_in : seq< kw_in > {};
// expect_in_after_not <- kw_in
struct expect_in_after_not : seq< kw_in > {};
// op_not_in <- kw_not sep expect_in_after_not
struct op_not_in : seq< kw_not, sep, must< expect_in_after_not > > {};
// op_contains <- kw_contains
struct op_contains : seq< kw_contains > {};
// op_starts_with <- kw_starts_with
struct op_starts_with : seq< kw_starts_with > {};
// op_ends_with <- kw_ends_with
struct op_ends_with : seq< kw_ends_with > {};
// op_has <- kw_has (sep (kw_any / kw_all))?
struct op_has : seq< kw_has, opt< sep, sor< kw_any, kw_all > > > {};
// word_op <- op_in / op_not_in / op_contains / op_starts_with / op_ends_with / op_has
struct word_op : sor< op_in, op_not_in, op_contains, op_starts_with, op_ends_with, op_has > {};
// expect_missing_or_present <- kw_missing / kw_present
struct expect_missing_or_present : sor< kw_missing, kw_present > {};
// op_is <- kw_is sep expect_missing_or_present
struct op_is : seq< kw_is, sep, must< expect_missing_or_present > > {};
// expect_operand <- value
struct expect_operand : seq< value > {};
// A lone '=' after a subject is almost always a mistyped '=='; say so rather than fail later.
// lone_equals <- '='   (never matched: only raised)
struct lone_equals : one< '=' > {};
// comparison_tail <- (symbol_op / word_op) sep expect_operand / op_is / &'=' lone_equals^
struct comparison_tail : sor< seq< sor< symbol_op, word_op >, sep, must< expect_operand > >, op_is,
                              seq< at< one< '=' > >, raise< lone_equals > > > {};
// subject <- name
struct subject : seq< name > {};
// comparison <- subject (sep comparison_tail)?
struct comparison : seq< subject, opt< sep, comparison_tail > > {};

// paren_open <- '('
struct paren_open : one< '(' > {};
// expect_paren_condition <- condition
struct expect_paren_condition : seq< condition > {};
// expect_paren_close <- ')'
struct expect_paren_close : one< ')' > {};
// parenthesised <- paren_open sep expect_paren_condition sep expect_paren_close
struct parenthesised : seq< paren_open, sep, must< expect_paren_condition >, sep, must< expect_paren_close > > {};
// primary <- parenthesised / comparison
struct primary : sor< parenthesised, comparison > {};

struct negation;
// not_keyword <- kw_not
struct not_keyword : seq< kw_not > {};
// expect_not_operand <- negation
struct expect_not_operand : seq< negation > {};
// negated <- not_keyword sep expect_not_operand
struct negated : seq< not_keyword, sep, must< expect_not_operand > > {};
// negation <- negated / primary
struct negation : sor< negated, primary > {};

// chain_start <- ''   (marks where an and/or chain's operands begin)
struct chain_start : success {};
// expect_and_operand <- negation
struct expect_and_operand : seq< negation > {};
// conjunction <- chain_start negation (sep kw_and sep expect_and_operand)*
struct conjunction : seq< chain_start, negation, star< sep, kw_and, sep, must< expect_and_operand > > > {};
// expect_or_operand <- conjunction
struct expect_or_operand : seq< conjunction > {};
// disjunction <- chain_start conjunction (sep kw_or sep expect_or_operand)*
struct disjunction : seq< chain_start, conjunction, star< sep, kw_or, sep, must< expect_or_operand > > > {};

// ---- let ----------------------------------------------------------------------------

// let_name <- identifier   (a reserved word is reported, then kept)
struct let_name : identifier {};
// expect_let_name <- let_name
struct expect_let_name : seq< let_name > {};
// expect_let_equals <- '='
struct expect_let_equals : one< '=' > {};
// expect_let_condition <- condition
struct expect_let_condition : seq< condition > {};
// let_decl <- kw_let sep expect_let_name sep expect_let_equals sep expect_let_condition
struct let_decl : seq< kw_let, sep, must< expect_let_name >, sep, must< expect_let_equals >, sep,
                       must< expect_let_condition > > {};

// ---- rule ---------------------------------------------------------------------------

// rule_name <- name
struct rule_name : seq< name > {};
// reserved_label <- reserved_word &(sep ':')
struct reserved_label : seq< reserved_word, at< sep, one< ':' > > > {};
// reserved_output <- reserved_word &(sep kw_if)
struct reserved_output : seq< reserved_word, at< sep, kw_if > > {};
// rule_head <- rule_name / reserved_label / reserved_output
struct rule_head : sor< rule_name, reserved_label, reserved_output > {};
// label_colon <- ':'
struct label_colon : one< ':' > {};
// expect_rule_output <- rule_name / reserved_output
struct expect_rule_output : sor< rule_name, reserved_output > {};
// expect_if <- kw_if
struct expect_if : seq< kw_if > {};
// expect_rule_condition <- condition
struct expect_rule_condition : seq< condition > {};
// arrow <- '->'
struct arrow : string< '-', '>' > {};
// expect_rule_value <- literal
struct expect_rule_value : seq< literal > {};
// rule <- rule_head (sep label_colon sep expect_rule_output)? sep expect_if sep expect_rule_condition
//         (sep arrow sep expect_rule_value)?
struct rule : seq< rule_head, opt< sep, label_colon, sep, must< expect_rule_output > >, sep,
                   must< expect_if >, sep, must< expect_rule_condition >,
                   opt< sep, arrow, sep, must< expect_rule_value > > > {};

// ---- test ---------------------------------------------------------------------------

// test_name <- string_literal
struct test_name : seq< string_literal > {};
// expect_test_name <- test_name
struct expect_test_name : seq< test_name > {};
// test_open <- '{'
struct test_open : one< '{' > {};
// expect_test_open <- test_open
struct expect_test_open : seq< test_open > {};
// reserved_assignment_name <- reserved_word &(sep '=')
struct reserved_assignment_name : seq< reserved_word, at< sep, one< '=' > > > {};
// assignment_name <- name / reserved_assignment_name
struct assignment_name : sor< seq< name >, reserved_assignment_name > {};
// expect_assignment_value <- value
struct expect_assignment_value : seq< value > {};
// expect_missing <- kw_missing
struct expect_missing : seq< kw_missing > {};
// is_missing <- kw_is sep expect_missing
struct is_missing : seq< kw_is, sep, must< expect_missing > > {};
// expect_assignment_rest <- '=' sep expect_assignment_value / is_missing
struct expect_assignment_rest : sor< seq< one< '=' >, sep, must< expect_assignment_value > >, is_missing > {};
// assignment <- assignment_name sep expect_assignment_rest
struct assignment : seq< assignment_name, sep, must< expect_assignment_rest > > {};
// expect_given_assignment <- assignment
struct expect_given_assignment : seq< assignment > {};
// expect_expect_assignment <- assignment
struct expect_expect_assignment : seq< assignment > {};
// given_keyword <- kw_given
struct given_keyword : seq< kw_given > {};
// expect_keyword <- kw_expect
struct expect_keyword : seq< kw_expect > {};
// given_clause <- given_keyword sep expect_given_assignment (sep ',' sep assignment)* (sep ',')?
struct given_clause : seq< given_keyword, sep, must< expect_given_assignment >,
                           star< sep, one< ',' >, sep, assignment >, opt< sep, one< ',' > > > {};
// expect_clause <- expect_keyword sep expect_expect_assignment (sep ',' sep assignment)* (sep ',')?
struct expect_clause : seq< expect_keyword, sep, must< expect_expect_assignment >,
                            star< sep, one< ',' >, sep, assignment >, opt< sep, one< ',' > > > {};
// expect_test_close <- '}'
struct expect_test_close : one< '}' > {};
// Clauses may come in any order and more than once; each appends its assignments.
// test_block <- kw_test sep expect_test_name sep expect_test_open sep
//               ((given_clause / expect_clause) sep)* expect_test_close
struct test_block : seq< kw_test, sep, must< expect_test_name >, sep, must< expect_test_open >, sep,
                         star< sor< given_clause, expect_clause >, sep >,
                         must< expect_test_close > > {};

// ---- file ---------------------------------------------------------------------------

// item <- field_decl / output_decl / let_decl / test_block / rule
struct item : sor< field_decl, output_decl, let_decl, test_block, rule > {};
// expect_item_or_end <- !.
struct expect_item_or_end : eof {};
// byte_order_mark <- '\xEF\xBB\xBF'
struct byte_order_mark : string< '\xEF', '\xBB', '\xBF' > {};
// policy <- byte_order_mark? sep (item sep)* expect_item_or_end
struct policy : seq< opt< byte_order_mark >, sep, star< item, sep >, must< expect_item_or_end > > {};

// ---- errors -------------------------------------------------------------------------

// The one table of syntax-error messages. A message that starts with "expected" gets
// ", found X" appended by the parser, X being the next token; the others stand alone.
template< typename Rule > inline constexpr const char* error_message = nullptr;

template<> inline constexpr const char* error_message< expect_fraction_digits > = "expected digits after the decimal point";
template<> inline constexpr const char* error_message< expect_duration_unit > = "expected a duration unit (w, d, h, m or s) after the digits";
template<> inline constexpr const char* error_message< expect_literal_end > = "expected a duration unit (w, d, h, m or s) or the end of the number";
template<> inline constexpr const char* error_message< expect_string_close > = "unterminated string";
template<> inline constexpr const char* error_message< expect_list_value > = "expected a value in the list";
template<> inline constexpr const char* error_message< expect_list_close > = "expected ',' or ']' in the list";
template<> inline constexpr const char* error_message< expect_enum_open > = "expected '{' after 'enum'";
template<> inline constexpr const char* error_message< expect_enum_close > = "expected an enum member, ',' or '}'";
template<> inline constexpr const char* error_message< expect_field_name > = "expected a field name after 'field'";
template<> inline constexpr const char* error_message< expect_field_colon > = "expected ':' after the field name";
template<> inline constexpr const char* error_message< expect_field_type > = "expected a field type (bool, int, number, duration, string, tags or enum)";
template<> inline constexpr const char* error_message< expect_output_name > = "expected an output name after 'output'";
template<> inline constexpr const char* error_message< expect_output_colon > = "expected ':' after the output name";
template<> inline constexpr const char* error_message< expect_output_type > = "expected an output type (flag, enum, string or int)";
template<> inline constexpr const char* error_message< expect_default_value > = "expected a value after 'default'";
template<> inline constexpr const char* error_message< expect_in_after_not > = "expected 'in' after 'not'";
template<> inline constexpr const char* error_message< expect_missing_or_present > = "expected 'missing' or 'present' after 'is'";
template<> inline constexpr const char* error_message< expect_operand > = "expected a value after the operator";
template<> inline constexpr const char* error_message< lone_equals > = "expected a comparison operator such as '==' or 'in'";
template<> inline constexpr const char* error_message< expect_paren_condition > = "expected a condition after '('";
template<> inline constexpr const char* error_message< expect_paren_close > = "expected ')' to close the parenthesis";
template<> inline constexpr const char* error_message< expect_not_operand > = "expected a condition after 'not'";
template<> inline constexpr const char* error_message< expect_and_operand > = "expected a condition after 'and'";
template<> inline constexpr const char* error_message< expect_or_operand > = "expected a condition after 'or'";
template<> inline constexpr const char* error_message< expect_let_name > = "expected a name after 'let'";
template<> inline constexpr const char* error_message< expect_let_equals > = "expected '=' after the let name";
template<> inline constexpr const char* error_message< expect_let_condition > = "expected a condition after '='";
template<> inline constexpr const char* error_message< expect_rule_output > = "expected an output name after the label";
template<> inline constexpr const char* error_message< expect_if > = "expected 'if' after the output name";
template<> inline constexpr const char* error_message< expect_rule_condition > = "expected a condition after 'if'";
template<> inline constexpr const char* error_message< expect_rule_value > = "expected a value after '->'";
template<> inline constexpr const char* error_message< expect_test_name > = "expected the test's name in quotes after 'test'";
template<> inline constexpr const char* error_message< expect_test_open > = "expected '{' after the test name";
template<> inline constexpr const char* error_message< expect_assignment_value > = "expected a value after '='";
template<> inline constexpr const char* error_message< expect_missing > = "expected 'missing' after 'is'";
template<> inline constexpr const char* error_message< expect_assignment_rest > = "expected '=' or 'is missing' after the name";
template<> inline constexpr const char* error_message< expect_given_assignment > = "expected a field name after 'given'";
template<> inline constexpr const char* error_message< expect_expect_assignment > = "expected an output name after 'expect'";
template<> inline constexpr const char* error_message< expect_test_close > = "expected 'given', 'expect', ',' or '}' in the test";
template<> inline constexpr const char* error_message< expect_item_or_end > = "expected a declaration, a rule or a test";

// must_if's `Errors` parameter: looks messages up in the table above.
struct error_table {
  template< typename Rule > static constexpr const char* message = error_message< Rule >;
};

// The control class: rules with a message raise a syntax error when they fail; a
// `must<>` on a rule without one does not compile, so no C++ type name can leak.
template< typename Rule >
using control = must_if< error_table >::control< Rule >;

// clang-format on

}  // namespace triage::detail::grammar

#endif  // TRIAGE_SRC_PARSE_GRAMMAR_HPP
