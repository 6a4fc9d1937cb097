// triage tests — the random policy and ticket generator. See policy_generator.hpp.
//
// How validity is kept by construction:
// - fields and outputs are declared before every let, and a let uses only earlier lets
//   (reference 3.3);
// - outputs get a random dependency order; a rule of an output reads only outputs earlier
//   in that order, directly or through lets (a let has a "level": it reads only outputs
//   below its level, and a rule may use it only from that level on), so there is no cycle;
// - a `unique` output's rules each start with `f0 == m` (or `f0 in [...]`) for disjoint
//   members of the enum field f0, so no two can overlap;
// - a `complete` output ends with a rule that always matches; a `complete unique` output
//   partitions the members of a required f0;
// - operators are only applied where reference 3.5 (and the checker) allow them;
// - `sum` values are small, so no sum can overflow.
//
// At most one operand of an expression draws randomness; two draws are made in statements
// of their own. The operands of `+` are evaluated in an unspecified order (clang left to
// right, g++ often right to left), and the same seed must make the same policy under both:
// the fuzzers run with clang, the replay of what they found with g++ too.
#include "reference/policy_generator.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

namespace triage::reference {
namespace {

enum class out_type : std::uint8_t { flag, enumeration, string, integer };
enum class gen_hit : std::uint8_t { any, first, max, min, unique, collect, sum };

struct gen_output {
  std::string name;
  out_type type = out_type::flag;
  gen_hit policy = gen_hit::any;
  bool write_policy = true;          // `first` may be left implicit
  std::vector<std::string> members;  // enum outputs
  bool has_default = false;
  bool complete = false;
  std::size_t order = 0;             // position in the dependency order
  [[nodiscard]] bool can_be_absent() const {
    return type != out_type::flag && policy != gen_hit::collect && policy != gen_hit::sum &&
           !has_default;
  }
};

struct gen_let {
  std::string name;
  std::size_t level = 0;  // reads outputs of order < level; usable by outputs of order >= level
};

// A condition before it is printed: printing adds the parentheses precedence needs.
struct node {
  enum class kind : std::uint8_t { any_of, all_of, negate, leaf } of = kind::leaf;
  std::string text;  // leaf
  std::vector<node> operands;
};

// Binding strength, loosest first (reference 3.5).
int level_of(const node& n) {
  switch (n.of) {
    case node::kind::any_of: return 1;
    case node::kind::all_of: return 2;
    case node::kind::negate: return 3;
    case node::kind::leaf: return 4;
  }
  return 4;
}

const std::vector<std::vector<std::string>> field_member_pools = {
    {"low", "medium", "high", "critical", "extreme"},
    {"red", "Red", "amber", "green", "blue"},
    {"a", "b", "c", "d", "e"},
    {"L1", "L2", "L3", "l1", "l2"},
    {"break_fix", "request", "project", "compliance", "other"},
};
const std::vector<std::vector<std::string>> output_member_pools = {
    {"P1", "P2", "P3", "P4", "P5"},
    {"service_desk", "network", "security", "apps", "hr"},
    {"manager", "on_call", "account_owner", "Manager", "team_lead"},
    {"low", "high", "mid", "none", "every"},
};
const std::vector<std::string> field_strings = {
    "VPN down", "vpn", "Printer jam", "password Reset", "phishing", "Wi-Fi", "dns",
    "Outage", "café", "CAFÉ", "x", "quote\"d", "back\\slash", "", "launch 🚀 now", "a/b",
};
const std::vector<std::string> output_strings = {
    "Level 1", "level 1", "net\"ops", "back\\slash", "Sec", "café", "", "team-a",
};
const std::vector<std::string> tag_pool = {"vpn", "wifi", "dns", "vip", "exec", "VPN", "Vip", "hw"};
const std::vector<std::string> unmentioned_tags = {"other", "misc", "zzz"};
// 2^63 (the first double above INT64_MAX), just below INT64_MIN, far beyond, and halves.
const std::vector<double> extreme_numbers = {9223372036854775808.0, -9223372036854777856.0,
                                             1e20, -1e20, 0.5, -0.5};
const std::vector<std::int64_t> duration_pool = {0,    30,    60,    90,     900,   1800,
                                                 3600, 5400,  7200,  86400,  90000, 604800,
                                                 -900, -60,   28800, 1209600};

class builder {
 public:
  builder(random_source& rng, generated_policy& out) : rng_(rng), out_(out) {}

  void build() {
    // One policy in twenty is larger: more fields, outputs, lets and rules per output.
    // A rule's own condition is at most three levels deep, but lets of lets go deeper, so
    // a rare policy exceeds the table's row limit (see only_row_limit_exceeded).
    large_ = chance(0.05);
    make_fields();
    make_outputs();
    make_lets();
    make_rules();
    render();
  }

 private:
  // ---- randomness --------------------------------------------------------------------
  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(uniform(0, static_cast<int>(v.size()) - 1))];
  }

  // ---- literals as policy text -------------------------------------------------------
  std::string string_literal(const std::string& s) {
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size(); ++i) {
      const char c = s[i];
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else if (c == '\xC3' && i + 1 < s.size() && chance(0.5)) {
        // é / É written as a \u{...} escape half of the time: the parser must unescape it.
        out += s[i + 1] == '\xA9' ? "\\u{e9}" : "\\u{C9}";
        ++i;
      } else {
        out += c;
      }
    }
    return out + "\"";
  }
  static std::string number_literal(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
  }

  // ---- declarations ------------------------------------------------------------------
  void make_fields() {
    const int count = large_ ? uniform(8, 14) : uniform(3, 8);
    for (int i = 0; i < count; ++i) {
      gen_field f;
      // f0 is always an enum: `unique` outputs partition its members.
      f.type = i == 0 ? gen_type::enumeration : static_cast<gen_type>(uniform(0, 6));
      f.required = chance(i == 0 ? 0.5 : 0.25);
      static const char* const words[] = {"bool", "int", "num", "dur", "text", "tags", "kind"};
      f.name = "f" + std::to_string(i) + "_" + words[static_cast<int>(f.type)];
      switch (f.type) {
        case gen_type::boolean:
          break;
        case gen_type::integer:
          for (int k = uniform(1, 3); k > 0; --k) f.ints.push_back(uniform(-5, 30));
          if (chance(0.1)) f.ints.push_back(chance(0.5) ? 4'000'000'000'000LL : -9'000'000'000LL);
          // The ends of int64: range ends one past them must not wrap around.
          if (chance(0.05)) f.ints.push_back(chance(0.5) ? INT64_MAX : INT64_MIN);
          for (int k = uniform(0, 2); k > 0; --k) f.numbers.push_back(uniform(-20, 120) / 4.0);
          // Number literals at or beyond the ends of int64, compared with an int field.
          if (chance(0.05)) f.numbers.push_back(pick(extreme_numbers));
          break;
        case gen_type::number:
          for (int k = uniform(1, 3); k > 0; --k) f.numbers.push_back(uniform(-40, 120) / 4.0);
          for (int k = uniform(0, 2); k > 0; --k) f.ints.push_back(uniform(-5, 30));
          if (chance(0.05)) f.numbers.push_back(pick(extreme_numbers));
          break;
        case gen_type::duration:
          for (int k = uniform(1, 3); k > 0; --k) {
            f.ints.push_back(chance(0.7) ? pick(duration_pool) : uniform(-4000, 200'000));
          }
          break;
        case gen_type::string:
          for (int k = uniform(1, 4); k > 0; --k) f.texts.push_back(pick(field_strings));
          break;
        case gen_type::tags:
          for (int k = uniform(1, 4); k > 0; --k) f.texts.push_back(pick(tag_pool));
          break;
        case gen_type::enumeration: {
          std::vector<std::string> pool = pick(field_member_pools);
          std::shuffle(pool.begin(), pool.end(), rng_);
          pool.resize(static_cast<std::size_t>(uniform(2, 5)));
          f.members = pool;
          break;
        }
      }
      out_.fields.push_back(std::move(f));
    }
  }

  void make_outputs() {
    const int count = large_ ? uniform(5, 10) : uniform(2, 6);
    for (int i = 0; i < count; ++i) {
      gen_output o;
      o.type = static_cast<out_type>(uniform(0, 3));
      switch (o.type) {
        case out_type::flag:
          o.policy = gen_hit::any;
          break;
        case out_type::enumeration: {
          static const gen_hit choices[] = {gen_hit::first, gen_hit::max, gen_hit::min, gen_hit::unique, gen_hit::collect};
          o.policy = choices[uniform(0, 4)];
          std::vector<std::string> pool = pick(output_member_pools);
          std::shuffle(pool.begin(), pool.end(), rng_);
          pool.resize(static_cast<std::size_t>(uniform(2, 5)));
          o.members = pool;
          break;
        }
        case out_type::string: {
          static const gen_hit choices[] = {gen_hit::first, gen_hit::unique, gen_hit::collect};
          o.policy = choices[uniform(0, 2)];
          break;
        }
        case out_type::integer: {
          static const gen_hit choices[] = {gen_hit::first, gen_hit::max, gen_hit::min, gen_hit::unique, gen_hit::sum};
          o.policy = choices[uniform(0, 4)];
          break;
        }
      }
      const bool may_default = o.policy == gen_hit::first || o.policy == gen_hit::max ||
                               o.policy == gen_hit::min || o.policy == gen_hit::unique;
      o.has_default = may_default && chance(0.4);
      o.write_policy = o.policy != gen_hit::first || chance(0.5);
      if (may_default && !o.has_default && chance(0.15)) {
        // A complete unique output needs a required f0 to partition.
        o.complete = o.policy != gen_hit::unique || out_.fields[0].required;
      }
      static const char* const words[] = {"any", "first", "max", "min", "unique", "collect", "sum"};
      static const char* const types[] = {"flag", "enum", "str", "int"};
      o.name = "o" + std::to_string(i) + "_" + types[static_cast<int>(o.type)] +
               (o.type == out_type::flag ? "" : std::string("_") + words[static_cast<int>(o.policy)]);
      outputs_.push_back(std::move(o));
    }
    std::vector<std::size_t> order(outputs_.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), rng_);
    for (std::size_t pos = 0; pos < order.size(); ++pos) outputs_[order[pos]].order = pos;
  }

  void make_lets() {
    const int count = large_ ? uniform(2, 6) : uniform(0, 3);
    for (int i = 0; i < count; ++i) {
      gen_let l;
      // Appended rather than `"l" + ...`: GCC 12 gives a false -Wrestrict on the latter
      // when inlined at -O3 (GCC bug 105329).
      l.name = std::string("l").append(std::to_string(i));
      l.level = static_cast<std::size_t>(uniform(0, static_cast<int>(outputs_.size())));
      // Its condition may use earlier lets of no higher level.
      const std::string cond = print(condition(l.level, lets_.size(), 0), 0);
      let_texts_.push_back("let " + l.name + " = " + cond);
      lets_.push_back(std::move(l));
    }
  }

  // ---- conditions --------------------------------------------------------------------

  // A random condition for a rule of an output at position `level` of the dependency
  // order (or a let of that level): it reads outputs below `level` and the first
  // `let_count` lets whose level is at most `level`.
  node condition(std::size_t level, std::size_t let_count, int depth) {
    if (depth >= 3 || chance(depth == 0 ? 0.45 : 0.6)) return leaf(level, let_count);
    node n;
    const int r = uniform(0, 9);
    if (r < 4) {
      n.of = node::kind::all_of;
    } else if (r < 8) {
      n.of = node::kind::any_of;
    } else {
      n.of = node::kind::negate;
      n.operands.push_back(condition(level, let_count, depth + 1));
      return n;
    }
    for (int k = uniform(2, 3); k > 0; --k) n.operands.push_back(condition(level, let_count, depth + 1));
    return n;
  }

  node leaf(std::size_t level, std::size_t let_count) {
    // Candidates: every field, earlier outputs, usable lets.
    std::vector<std::size_t> outs;
    for (std::size_t i = 0; i < outputs_.size(); ++i) {
      if (outputs_[i].order < level) outs.push_back(i);
    }
    std::vector<std::size_t> usable_lets;
    for (std::size_t i = 0; i < let_count; ++i) {
      if (lets_[i].level <= level) usable_lets.push_back(i);
    }
    node n;
    const int r = uniform(0, 99);
    if (!usable_lets.empty() && r < 12) {
      n.text = lets_[pick(usable_lets)].name;
    } else if (!outs.empty() && r < 40) {
      n.text = output_atom(outputs_[pick(outs)]);
    } else {
      n.text = field_atom(out_.fields[static_cast<std::size_t>(
          uniform(0, static_cast<int>(out_.fields.size()) - 1))]);
    }
    return n;
  }

  std::string print(const node& n, int min_level) {
    std::string s;
    const auto join = [&](const char* word, int operand_level) {
      for (std::size_t i = 0; i < n.operands.size(); ++i) {
        if (i != 0) {
          // A condition may span lines, with comments and tabs between its tokens.
          const int r = uniform(0, 19);
          s += r < 2 ? "\n    " : (r == 2 ? "  # why, in a comment\n\t" : (r == 3 ? "\t" : " "));
          s += std::string(word) + " ";
        }
        s += print(n.operands[i], operand_level);
      }
    };
    switch (n.of) {
      case node::kind::any_of: join("or", 1); break;
      case node::kind::all_of: join("and", 2); break;
      case node::kind::negate: s = "not " + print(n.operands.front(), 3); break;
      case node::kind::leaf: s = n.text; break;
    }
    if (level_of(n) < min_level || chance(0.08)) return "(" + s + ")";
    return s;
  }

  // `[v, ...]` with one to three values drawn by `draw`; a trailing comma sometimes.
  template <class F>
  std::string list_of(F draw) {
    std::string s = "[";
    const int count = uniform(1, 3);
    for (int i = 0; i < count; ++i) {
      if (i != 0) s += ", ";
      s += draw();
    }
    if (chance(0.1)) s += ",";
    return s + "]";
  }

  // An operator of the given family, with its right side drawn by `value`.
  static constexpr const char* ordered_ops[] = {"==", "!=", "<", "<=", ">", ">=", "in", "not in"};

  template <class F>
  std::string scalar_atom(const std::string& subject, bool ordered, bool may_be_missing, F value) {
    const int r = uniform(0, 99);
    if (may_be_missing && r < 8) return subject + (chance(0.5) ? " is missing" : " is present");
    static constexpr int unordered_ops[] = {0, 1, 6, 7};  // ==, !=, in, not in
    const int op = ordered ? uniform(0, 7) : unordered_ops[uniform(0, 3)];
    const std::string word = ordered_ops[op];
    if (op >= 6) return subject + " " + word + " " + list_of(value);
    return subject + " " + word + " " + value();
  }

  std::string int_value(const gen_field& f) {
    if (!f.numbers.empty() && chance(0.25)) return number_literal(pick(f.numbers));
    return std::to_string(f.ints.empty() ? 0 : pick(f.ints));
  }

  std::string field_atom(const gen_field& f) {
    const std::string& name = f.name;
    switch (f.type) {
      case gen_type::boolean: {
        const int r = uniform(0, 9);
        if (r < 5) return name;
        if (r == 5) return name + " is " + (chance(0.5) ? "missing" : "present");
        return scalar_atom(name, false, false, [&] { return std::string(chance(0.5) ? "true" : "false"); });
      }
      case gen_type::integer:
        return scalar_atom(name, true, true, [&] { return int_value(f); });
      case gen_type::number:
        return scalar_atom(name, true, true, [&] {
          if (!f.ints.empty() && chance(0.3)) return std::to_string(pick(f.ints));
          return number_literal(pick(f.numbers));
        });
      case gen_type::duration:
        return scalar_atom(name, true, true, [&] { return duration_text(pick(f.ints)); });
      case gen_type::enumeration:
        return scalar_atom(name, true, true, [&] { return pick(f.members); });
      case gen_type::string: {
        const int r = uniform(0, 9);
        if (r < 4) {
          static const char* const searches[] = {" contains ", " starts_with ", " ends_with "};
          const char* const search = searches[uniform(0, 2)];
          return name + search + string_literal(needle(pick(f.texts)));
        }
        return scalar_atom(name, false, true, [&] { return string_literal(pick(f.texts)); });
      }
      case gen_type::tags: {
        const int r = uniform(0, 9);
        const auto tag = [&] { return string_literal(pick(f.texts)); };
        if (r == 0) return name + " is " + (chance(0.5) ? "missing" : "present");
        if (r < 4) return name + " has " + tag();
        if (r < 7) return name + " has any " + list_of(tag);
        return name + " has all " + list_of(tag);
      }
    }
    return name;
  }

  // A piece of `s` in a random ASCII case, for `contains` / `starts_with` / `ends_with`.
  std::string needle(const std::string& s) {
    if (s.empty()) return s;
    std::size_t begin = 0;
    std::size_t end = s.size();
    const int r = uniform(0, 3);
    if (r == 1) end = static_cast<std::size_t>(uniform(0, static_cast<int>(s.size())));
    if (r == 2) begin = static_cast<std::size_t>(uniform(0, static_cast<int>(s.size())));
    // Never cut a UTF-8 sequence in half: the literal must stay valid UTF-8.
    while (begin < s.size() && (static_cast<unsigned char>(s[begin]) & 0xC0) == 0x80) ++begin;
    while (end < s.size() && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) ++end;
    if (begin > end) begin = end;
    return random_case(s.substr(begin, end - begin));
  }

  std::string random_case(std::string s) {
    for (char& c : s) {
      if (c >= 'a' && c <= 'z' && chance(0.3)) c = static_cast<char>(c - 'a' + 'A');
      else if (c >= 'A' && c <= 'Z' && chance(0.3)) c = static_cast<char>(c - 'A' + 'a');
    }
    return s;
  }

  std::string output_value_literal(const gen_output& o) {
    switch (o.type) {
      case out_type::flag: return "";
      case out_type::enumeration: return pick(o.members);
      case out_type::string: return string_literal(pick(output_strings));
      case out_type::integer:
        return std::to_string(o.policy == gen_hit::sum ? uniform(-3, 12) : uniform(-5, 20));
    }
    return "";
  }

  std::string output_atom(const gen_output& o) {
    const std::string& name = o.name;
    if (o.policy == gen_hit::collect) {
      const auto value = [&] { return output_value_literal(o); };
      const int r = uniform(0, 2);
      if (r == 0) return name + " has " + value();
      return name + (r == 1 ? " has any " : " has all ") + list_of(value);
    }
    switch (o.type) {
      case out_type::flag: {
        if (chance(0.6)) return name;
        return scalar_atom(name, false, false, [&] { return std::string(chance(0.5) ? "true" : "false"); });
      }
      case out_type::enumeration:
        return scalar_atom(name, true, o.can_be_absent(), [&] { return pick(o.members); });
      case out_type::string: {
        if (chance(0.4)) {
          static const char* const searches[] = {" contains ", " starts_with ", " ends_with "};
          const char* const search = searches[uniform(0, 2)];
          return name + search + string_literal(needle(pick(output_strings)));
        }
        return scalar_atom(name, false, o.can_be_absent(),
                           [&] { return string_literal(pick(output_strings)); });
      }
      case out_type::integer:
        return scalar_atom(name, true, o.can_be_absent(), [&] {
          if (chance(0.2)) return number_literal(uniform(-20, 80) / 4.0);
          return std::to_string(uniform(-5, 20));
        });
    }
    return name;
  }

  // ---- rules -------------------------------------------------------------------------
  void make_rules() {
    std::vector<std::vector<std::string>> per_output(outputs_.size());
    for (std::size_t i = 0; i < outputs_.size(); ++i) {
      gen_output& o = outputs_[i];
      std::vector<std::string>& rules = per_output[i];
      const auto arrow = [&] {
        return o.type == out_type::flag ? std::string() : " -> " + output_value_literal(o);
      };
      if (o.policy == gen_hit::unique) {
        const gen_field& f0 = out_.fields[0];
        std::vector<std::string> members = f0.members;
        std::shuffle(members.begin(), members.end(), rng_);
        if (o.complete) {
          // Partition every member among 1..n rules: exactly one rule matches any ticket.
          const int groups = uniform(1, static_cast<int>(members.size()));
          std::vector<std::vector<std::string>> parts(static_cast<std::size_t>(groups));
          for (std::size_t m = 0; m < members.size(); ++m) {
            const std::size_t g = m < parts.size() ? m : static_cast<std::size_t>(uniform(0, groups - 1));
            parts[g].push_back(members[m]);
          }
          for (const auto& part : parts) {
            std::string list;
            for (const std::string& m : part) list += (list.empty() ? "" : ", ") + m;
            rules.push_back(o.name + " if " + f0.name + " in [" + list + "]" + arrow());
          }
        } else {
          const int count = uniform(1, static_cast<int>(members.size()));
          for (int k = 0; k < count; ++k) {
            node n;
            n.of = node::kind::all_of;
            n.operands.push_back(node{node::kind::leaf, f0.name + " == " + members[static_cast<std::size_t>(k)], {}});
            if (chance(0.6)) n.operands.push_back(condition(o.order, lets_.size(), 1));
            const std::string cond = n.operands.size() == 1 ? n.operands[0].text : print(n, 0);
            rules.push_back(o.name + " if " + cond + arrow());
          }
        }
      } else {
        for (int k = uniform(1, large_ ? 15 : 5); k > 0; --k) {
          const std::string cond = print(condition(o.order, lets_.size(), 0), 0);
          rules.push_back(o.name + " if " + cond + arrow());
        }
        if (o.complete) {
          // Always true: every ticket matches, so the output is never absent.
          const gen_field& f = pick(out_.fields);
          rules.push_back(o.name + " if " + f.name + " is missing or " + f.name + " is present" +
                          arrow());
        }
      }
    }
    // Interleave the outputs' rules, keeping each output's own order.
    std::vector<std::size_t> next(outputs_.size(), 0);
    std::size_t left = 0;
    for (const auto& r : per_output) left += r.size();
    int label = 0;
    for (; left > 0; --left) {
      // Drawn among the outputs with rules left, not retried until one has: one draw a
      // rule, so a fuzzer's input bytes map to the interleaving steadily.
      std::vector<std::size_t> open;
      for (std::size_t k = 0; k < outputs_.size(); ++k) {
        if (next[k] < per_output[k].size()) open.push_back(k);
      }
      const std::size_t o = pick(open);
      std::string text = per_output[o][next[o]++];
      if (chance(0.25)) text = "r" + std::to_string(label++) + ": " + text;
      rule_texts_.push_back(std::move(text));
    }
  }

  // ---- the text ------------------------------------------------------------------------
  std::string field_decl(const gen_field& f) {
    static const char* const types[] = {"bool", "int", "number", "duration", "string", "tags", "enum"};
    std::string s = "field " + f.name + ": " + types[static_cast<int>(f.type)];
    if (f.type == gen_type::enumeration) {
      s += " {";
      for (std::size_t i = 0; i < f.members.size(); ++i) s += (i == 0 ? " " : ", ") + f.members[i];
      s += " }";
    }
    if (f.required) s += " required";
    return s;
  }

  std::string output_decl(const gen_output& o) {
    static const char* const words[] = {"", "first", "max", "min", "unique", "collect", "sum"};
    std::string s = "output " + o.name + ": ";
    switch (o.type) {
      case out_type::flag: s += "flag"; break;
      case out_type::enumeration:
        s += "enum {";
        for (std::size_t i = 0; i < o.members.size(); ++i) s += (i == 0 ? " " : ", ") + o.members[i];
        s += " }";
        break;
      case out_type::string: s += "string"; break;
      case out_type::integer: s += "int"; break;
    }
    if (o.type != out_type::flag && o.write_policy) s += std::string(" ") + words[static_cast<int>(o.policy)];
    if (o.has_default) s += " default " + output_value_literal(o);
    if (o.complete) s += " complete";
    return s;
  }

  void render() {
    std::string& t = out_.text;
    t = "# generated policy, seed " + std::to_string(out_.seed) + "\n";
    // Fields and outputs may come in any order; interleave them.
    std::size_t fi = 0;
    std::size_t oi = 0;
    while (fi < out_.fields.size() || oi < outputs_.size()) {
      const bool field = oi == outputs_.size() || (fi < out_.fields.size() && chance(0.6));
      t += field ? field_decl(out_.fields[fi++]) : output_decl(outputs_[oi++]);
      t += chance(0.1) ? "   # a comment\n" : "\n";
    }
    t += "\n";
    for (const std::string& l : let_texts_) t += l + "\n";
    t += "\n";
    for (const std::string& r : rule_texts_) t += r + "\n";
    if (chance(0.05)) t += "# a last comment without a line end: café ✓";
    // Windows line ends in some files.
    if (chance(0.05)) {
      std::string crlf;
      for (const char c : t) {
        if (c == '\n') crlf += '\r';
        crlf += c;
      }
      t = std::move(crlf);
    }
  }

  random_source& rng_;
  generated_policy& out_;
  bool large_ = false;
  std::vector<gen_output> outputs_;
  std::vector<gen_let> lets_;
  std::vector<std::string> let_texts_;
  std::vector<std::string> rule_texts_;
};

// A JSON string literal for `s` that the decoder must read back as `s`, written in one of
// several equivalent ways: plain UTF-8, or with some characters as \uXXXX escapes
// (surrogate pairs above U+FFFF) and `/` as `\/`.
std::string json_text(const std::string& s, random_source& rng) {
  if (std::bernoulli_distribution(0.7)(rng)) return json_string(s);
  std::string out = "\"";
  const auto escape = [&](std::uint32_t unit) {
    char buf[16];  // room for any unsigned in hex, though units fit in four digits
    std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(unit));
    out += buf;
  };
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : 4;
    std::uint32_t cp = length == 1 ? c : length == 2 ? (c & 0x1Fu) : length == 3 ? (c & 0x0Fu) : (c & 0x07u);
    for (std::size_t k = 1; k < length; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
    const bool escaped = cp >= 0x80 || std::bernoulli_distribution(0.2)(rng);
    if (cp == '/') {
      out += "\\/";
    } else if (cp == '"' || cp == '\\' || !escaped) {
      out += json_string(s.substr(i, length)).substr(1, std::string::npos);
      out.pop_back();  // drop the closing quote json_string added
    } else if (cp > 0xFFFF) {
      escape(0xD800 + ((cp - 0x10000) >> 10));
      escape(0xDC00 + ((cp - 0x10000) & 0x3FF));
    } else {
      escape(cp);
    }
    i += length;
  }
  return out + "\"";
}

}  // namespace

bool only_row_limit_exceeded(const triage::diagnostics& issues) {
  bool any = false;
  for (const triage::diagnostic& d : issues) {
    if (d.level != triage::severity::error) continue;
    if (d.code != triage::diagnostic_code::limit_exceeded ||
        d.message.find("max_table_rows") == std::string::npos) {
      return false;
    }
    any = true;
  }
  return any;
}

std::string duration_text(std::int64_t seconds) {
  if (seconds == 0) return "0s";
  std::string out = seconds < 0 ? "-" : "";
  // Magnitudes here are far from INT64_MIN, so negation is safe.
  std::int64_t rest = seconds < 0 ? -seconds : seconds;
  static const std::pair<std::int64_t, char> units[] = {
      {604800, 'w'}, {86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
  for (const auto& [size, unit] : units) {
    if (rest >= size) {
      out += std::to_string(rest / size);
      out += unit;
      rest %= size;
    }
  }
  return out;
}

generated_policy policy_generator::make_policy() {
  generated_policy p;
  p.seed = seed_;
  builder b{rng_, p};
  b.build();
  return p;
}

generated_ticket policy_generator::make_ticket(const generated_policy& p,
                                               const std::string& leave_out) {
  const auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); };
  const auto chance = [&](double q) { return std::bernoulli_distribution(q)(rng_); };
  const auto pick_int = [&](const std::vector<std::int64_t>& v) {
    return v[static_cast<std::size_t>(uniform(0, static_cast<int>(v.size()) - 1))];
  };
  const auto random_case = [&](std::string s) {
    for (char& c : s) {
      if (c >= 'a' && c <= 'z' && chance(0.3)) c = static_cast<char>(c - 'a' + 'A');
      else if (c >= 'A' && c <= 'Z' && chance(0.3)) c = static_cast<char>(c - 'A' + 'a');
    }
    return s;
  };

  generated_ticket out;
  std::vector<std::pair<std::string, std::string>> entries;  // key, JSON value
  for (const gen_field& f : p.fields) {
    if (f.name == leave_out) continue;
    if (!f.required && chance(0.3)) {
      if (chance(0.2)) entries.emplace_back(f.name, "null");  // null is the same as missing
      continue;
    }
    std::string json;
    switch (f.type) {
      case gen_type::boolean: {
        const bool b = chance(0.5);
        json = b ? "true" : "false";
        out.fields[f.name] = b;
        break;
      }
      case gen_type::integer: {
        // On, beside, or far from the literals the policy mentions.
        std::vector<std::int64_t> near = {0, uniform(-50, 50)};
        for (const std::int64_t v : f.ints) {
          near.push_back(v);
          near.push_back(v);
          if (v != INT64_MIN) near.push_back(v - 1);
          if (v != INT64_MAX) near.push_back(v + 1);
        }
        for (const double d : f.numbers) {
          // Only doubles inside int64's range convert (2^63 itself does not).
          if (d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
            near.push_back(static_cast<std::int64_t>(std::floor(d)));
            near.push_back(static_cast<std::int64_t>(std::ceil(d)));
          } else {
            near.push_back(d > 0 ? INT64_MAX : INT64_MIN);
          }
        }
        std::int64_t v = pick_int(near);
        if (chance(0.01)) v = chance(0.5) ? INT64_MAX : INT64_MIN;
        json = std::to_string(v);
        out.fields[f.name] = v;
        break;
      }
      case gen_type::number: {
        std::vector<double> near = {0.0, uniform(-200, 200) / 4.0};
        for (const double d : f.numbers) near.insert(near.end(), {d - 0.25, d, d, d + 0.25, d + 1.0});
        for (const std::int64_t i : f.ints) {
          const auto d = static_cast<double>(i);
          near.insert(near.end(), {d - 0.25, d, d + 0.25});
        }
        double v = near[static_cast<std::size_t>(uniform(0, static_cast<int>(near.size()) - 1))];
        if (chance(0.01)) v = chance(0.5) ? -0.0 : (chance(0.5) ? 1e300 : -1e300);
        // Every value here is a multiple of 0.25 or an exact large double, so each form
        // below reads back as exactly `v`.
        char buf[512];
        const int form = uniform(0, 9);
        if (std::fabs(v) >= 1e15 || v == 0.0) {
          std::snprintf(buf, sizeof buf, "%.17g", v);
        } else if (v == std::floor(v) && form < 4) {
          std::snprintf(buf, sizeof buf, "%.0f", v);  // a JSON integer is a number too
        } else if (form < 6) {
          std::snprintf(buf, sizeof buf, "%.0fe-2", v * 100);  // an exponent: 250e-2
        } else if (form < 7) {
          std::snprintf(buf, sizeof buf, "%.3fE+0", v);
        } else {
          std::snprintf(buf, sizeof buf, "%.2f", v);
        }
        json = buf;
        out.fields[f.name] = v;
        break;
      }
      case gen_type::duration: {
        std::vector<std::int64_t> near = {0, uniform(-4000, 200'000)};
        for (const std::int64_t v : f.ints) near.insert(near.end(), {v - 60, v - 1, v, v, v + 1, v + 60});
        const std::int64_t v = pick_int(near);
        // Seconds as a JSON integer, or duration text: canonical ("1h30m") or not ("90m").
        const int form = uniform(0, 9);
        const std::string sign = v < 0 ? "-" : "";
        const std::int64_t magnitude = v < 0 ? -v : v;
        if (form < 4) {
          json = std::to_string(v);
        } else if (form < 8 || v == 0) {
          json = json_string(duration_text(v));
        } else if (magnitude % 60 == 0) {
          json = json_string(sign + std::to_string(magnitude / 60) + "m");
        } else {
          json = json_string(sign + std::to_string(magnitude) + "s");
        }
        out.fields[f.name] = v;
        break;
      }
      case gen_type::string: {
        std::string s = f.texts[static_cast<std::size_t>(uniform(0, static_cast<int>(f.texts.size()) - 1))];
        const int r = uniform(0, 9);
        if (r < 3) s = random_case(s);
        else if (r < 5) s = "re: " + s;
        else if (r < 7) s = s + " again";
        else if (r == 7) s = field_strings[static_cast<std::size_t>(uniform(0, static_cast<int>(field_strings.size()) - 1))];
        json = json_text(s, rng_);
        out.fields[f.name] = s;
        break;
      }
      case gen_type::tags: {
        tag_set tags;
        json = "[";
        for (int k = uniform(0, 4); k > 0; --k) {
          std::string tag;
          const int r = uniform(0, 9);
          if (r < 6) tag = f.texts[static_cast<std::size_t>(uniform(0, static_cast<int>(f.texts.size()) - 1))];
          else if (r < 8) tag = tag_pool[static_cast<std::size_t>(uniform(0, static_cast<int>(tag_pool.size()) - 1))];
          else tag = unmentioned_tags[static_cast<std::size_t>(uniform(0, 2))];
          if (json.size() > 1) json += ",";
          json += json_text(tag, rng_);
          tags.insert(tag);  // duplicates collapse
        }
        json += "]";
        out.fields[f.name] = std::move(tags);
        break;
      }
      case gen_type::enumeration: {
        const std::string& m = f.members[static_cast<std::size_t>(uniform(0, static_cast<int>(f.members.size()) - 1))];
        json = json_text(m, rng_);
        out.fields[f.name] = m;
        break;
      }
    }
    entries.emplace_back(f.name, std::move(json));
  }
  // Keys the schema does not know are ignored.
  if (chance(0.3)) entries.emplace_back("id", json_string("T-" + std::to_string(uniform(1, 9999))));
  if (chance(0.1)) entries.emplace_back("zz_extra", R"({"a": [1, 2.5, null], "b": "x"})");
  if (chance(0.3)) std::shuffle(entries.begin(), entries.end(), rng_);

  out.json = "{";
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (i != 0) out.json += chance(0.5) ? ", " : ",";
    out.json += json_text(entries[i].first, rng_) + ":" + entries[i].second;
  }
  out.json += "}";
  return out;
}

}  // namespace triage::reference
