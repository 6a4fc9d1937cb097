// triage tests — a deterministic generator of random valid policies and tickets, for the
// differential test.
//
// A policy is generated as TEXT (so the parser and checker are exercised too), together
// with the schema facts needed to draw tickets for it. Literals are chosen so that ticket
// values often sit exactly on, or one step beside, the boundaries the policy mentions.
// Every field type, output type, hit policy, operator, `and`/`or`/`not`, parentheses,
// lists, labels, lets (also lets of lets) and output-to-output references appear over a
// run. Generation depends only on the seed.
//
// Example:
//   triage::reference::policy_generator gen{42};
//   triage::reference::generated_policy p = gen.make_policy();
//   triage::reference::generated_ticket t = gen.make_ticket(p);
//   // p.text → compile;  t.json → ticket_decoder;  t.fields → interpreter
#ifndef TRIAGE_TESTS_POLICY_GENERATOR_HPP
#define TRIAGE_TESTS_POLICY_GENERATOR_HPP

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "reference/reference_interpreter.hpp"
#include "triage/diagnostic.hpp"

namespace triage::reference {

/// The field types a generated schema uses.
enum class gen_type : std::uint8_t { boolean, integer, number, duration, string, tags, enumeration };

/// A field of a generated policy and the literals its conditions mention (tickets draw
/// their values near these).
struct gen_field {
  std::string name;
  gen_type type = gen_type::boolean;
  std::vector<std::string> members;  ///< enum members in declaration order
  bool required = false;
  std::vector<std::int64_t> ints;    ///< int / duration (seconds) literals mentioned
  std::vector<double> numbers;       ///< number literals mentioned (int fields too)
  std::vector<std::string> texts;    ///< string / tag literals mentioned
};

/// A generated policy: its text and its schema.
struct generated_policy {
  std::uint64_t seed = 0;
  std::string text;
  std::vector<gen_field> fields;
};

/// A generated ticket, in the two forms the two evaluators read.
struct generated_ticket {
  std::string json;  ///< one JSON object, for `triage::ticket_decoder`
  ticket fields;     ///< the same ticket for the reference interpreter
};

/// Where a generator's randomness comes from: a function returning random 64-bit words
/// (a seeded `std::mt19937_64`, or a fuzzer's input bytes). It is a uniform random bit
/// generator with the range of `std::mt19937_64`, so the standard distributions draw the
/// same values from it as from the engine itself.
class random_source {
 public:
  using result_type = std::uint64_t;
  explicit random_source(std::function<std::uint64_t()> next) : next_(std::move(next)) {}
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return UINT64_MAX; }
  result_type operator()() { return next_(); }

 private:
  std::function<std::uint64_t()> next_;
};

/// Generates policies and tickets from a seeded `std::mt19937_64`, or any random source.
class policy_generator {
 public:
  /// Makes a generator whose whole output is determined by `seed`.
  explicit policy_generator(std::uint64_t seed)
      : rng_([engine = std::mt19937_64(seed)]() mutable { return engine(); }), seed_(seed) {}
  /// Makes a generator that draws from `source`; `seed` is only shown in the policy's
  /// first comment. The source must not return the same word forever (the standard
  /// distributions reject some words and draw again).
  policy_generator(random_source source, std::uint64_t seed)
      : rng_(std::move(source)), seed_(seed) {}

  /// Returns a new random policy that `parse_and_check` and `compile` accept.
  [[nodiscard]] generated_policy make_policy();

  /// Returns a random valid ticket for `p`: every required field present, each other
  /// field missing (or `null`) with some probability, unknown keys sometimes added.
  /// The field named `leave_out`, if any, is always missing (even a required one, which
  /// makes the ticket invalid).
  [[nodiscard]] generated_ticket make_ticket(const generated_policy& p,
                                             const std::string& leave_out = {});

 private:
  random_source rng_;
  std::uint64_t seed_;
};

/// True if the only errors of `issues` (a generated policy's compile diagnostics) are the
/// decision table's row limit (`limits::max_table_rows`). Generated policies are valid,
/// but a valid policy may exceed the limit: each `or` inside an `and` multiplies the rows
/// of a rule, and lets of lets nest deeper than a rule's own condition. The engine rejects
/// such a policy, as documented, and there is nothing to compare.
[[nodiscard]] bool only_row_limit_exceeded(const triage::diagnostics& issues);

/// Formats seconds as a duration literal: 0 → `0s`, 5400 → `1h30m`, -900 → `-15m`.
[[nodiscard]] std::string duration_text(std::int64_t seconds);

}  // namespace triage::reference

#endif  // TRIAGE_TESTS_POLICY_GENERATOR_HPP
