// triage tests — the reference interpreter. See reference_interpreter.hpp for why it is
// written this way: every step is a direct reading of the language reference.
#include "reference/reference_interpreter.hpp"

#include <cmath>
#include <cstdio>
#include <string_view>

namespace triage::reference {
namespace {

// ---- looking names up in the tree, by string, every time ----------------------------

const ast::field_decl* find_field(const ast::policy& p, std::string_view name) {
  for (const ast::field_decl& f : p.fields) {
    if (f.name.text == name) return &f;
  }
  return nullptr;
}

const ast::output_decl* find_output(const ast::policy& p, std::string_view name) {
  for (const ast::output_decl& o : p.outputs) {
    if (o.name.text == name) return &o;
  }
  return nullptr;
}

const ast::let_decl* find_let(const ast::policy& p, std::string_view name) {
  for (const ast::let_decl& l : p.lets) {
    if (l.name.text == name) return &l;
  }
  return nullptr;
}

// The position of an enum member in its declaration: members compare in this order.
std::int64_t member_position(const ast::type_spec& type, std::string_view member) {
  for (std::size_t i = 0; i < type.members.size(); ++i) {
    if (type.members[i].text == member) return static_cast<std::int64_t>(i);
  }
  return -1;  // not a member: the checker rejects such a policy
}

// Hit policies (reference 3.2). `any` is a flag's implicit policy; `first` is the
// default of the other output types.
enum class hit { any, first, max, min, unique, collect, sum };

hit hit_of(const ast::output_decl& o) {
  if (o.type.name == ast::type_name::flag) return hit::any;
  if (!o.policy) return hit::first;
  switch (*o.policy) {
    case ast::hit_keyword::first: return hit::first;
    case ast::hit_keyword::max: return hit::max;
    case ast::hit_keyword::min: return hit::min;
    case ast::hit_keyword::unique: return hit::unique;
    case ast::hit_keyword::collect: return hit::collect;
    case ast::hit_keyword::sum: return hit::sum;
  }
  return hit::first;
}

// ASCII case folding only: `contains` and friends are ASCII case-insensitive.
std::string ascii_lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

int three_way(std::int64_t a, std::int64_t b) { return a < b ? -1 : (a > b ? 1 : 0); }
int three_way(double a, double b) { return a < b ? -1 : (a > b ? 1 : 0); }

// Compares an int with a double exactly (no rounding of the int to double).
int three_way(std::int64_t a, double b) {
  if (b >= 9223372036854775808.0) return -1;   // 2^63: above every int64
  if (b < -9223372036854775808.0) return 1;    // below every int64
  const double whole = std::floor(b);
  const auto w = static_cast<std::int64_t>(whole);
  if (a != w) return three_way(a, w);
  return whole == b ? 0 : -1;  // a == floor(b) < b when b has a fraction
}

double as_double(const value& v) {
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  return 0.0;
}

std::int64_t as_int(const value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  return 0;
}

// A present value of a field or output, in the form comparisons read it.
struct subject_value {
  ast::type_name type = ast::type_name::boolean;  // flag outputs read as boolean
  const ast::type_spec* spec = nullptr;           // the declaration (enum members)
  bool is_set = false;                            // tags, or a collect output
  bool boolean = false;
  std::int64_t integer = 0;  // int, duration (seconds), enum member position
  double number = 0.0;
  std::string text;
  std::set<std::string> set;
};

// Compares a present value with one literal of the right side: negative, zero or
// positive as the value is less than, equal to or greater than the literal. Booleans and
// strings only ever need "equal or not".
int compare(const subject_value& v, const ast::literal& lit) {
  switch (v.type) {
    case ast::type_name::boolean:
    case ast::type_name::flag:
      return v.boolean == lit.boolean ? 0 : 1;
    case ast::type_name::integer:
      if (lit.kind == ast::literal_kind::number) return three_way(v.integer, lit.number);
      return three_way(v.integer, lit.integer);
    case ast::type_name::number:
      if (lit.kind == ast::literal_kind::integer) return -three_way(lit.integer, v.number);
      return three_way(v.number, lit.number);
    case ast::type_name::duration:
      return three_way(v.integer, lit.integer);
    case ast::type_name::string:
      return v.text == lit.text ? 0 : (v.text < lit.text ? -1 : 1);
    case ast::type_name::enumeration:
      return three_way(v.integer, member_position(*v.spec, lit.text));
    case ast::type_name::tags:
      return 1;  // the checker allows no scalar comparison on tags
  }
  return 1;
}

// One ticket's evaluation: outputs decided on demand, each once.
class evaluation {
 public:
  evaluation(const ast::policy& p, const ticket& t) : p_(p), t_(t) {}

  // The rules of an output that matched (after `decide`).
  std::vector<std::size_t> matched(const std::string& name) { return matched_[name]; }

  std::optional<output_value> decide(const std::string& name) {
    if (const auto it = decided_.find(name); it != decided_.end()) return it->second;
    const ast::output_decl* o = find_output(p_, name);
    // An unknown output or a cycle cannot occur in a checked policy; both read as absent.
    if (o == nullptr || !deciding_.insert(name).second) return std::nullopt;

    std::vector<const ast::rule*> matched;  // in source order
    std::vector<std::size_t>& matched_indices = matched_[name];
    for (std::size_t i = 0; i < p_.rules.size(); ++i) {
      const ast::rule& r = p_.rules[i];
      if (r.output.text == name && holds(r.cond)) {
        matched.push_back(&r);
        matched_indices.push_back(i);
      }
    }
    const hit policy = hit_of(*o);
    std::optional<output_value> result;
    switch (policy) {
      case hit::any:
        result = !matched.empty();
        break;
      case hit::first:
      case hit::unique:  // the checker proves at most one rule matches: take the first
        if (!matched.empty()) result = rule_value(*o, *matched.front()->value);
        break;
      case hit::max:
      case hit::min: {
        const ast::rule* best = nullptr;
        for (const ast::rule* r : matched) {
          if (best == nullptr) {
            best = r;
            continue;
          }
          const std::int64_t k = order_key(*o, *r->value);
          const std::int64_t b = order_key(*o, *best->value);
          if (policy == hit::max ? k > b : k < b) best = r;
        }
        if (best != nullptr) result = rule_value(*o, *best->value);
        break;
      }
      case hit::collect: {
        std::vector<std::string> values;
        for (const ast::rule* r : matched) {
          const std::string& v = r->value->text;  // enum member name or string text
          bool seen = false;
          for (const std::string& earlier : values) seen = seen || earlier == v;
          if (!seen) values.push_back(v);
        }
        result = std::move(values);
        break;
      }
      case hit::sum: {
        std::int64_t total = 0;
        for (const ast::rule* r : matched) total += r->value->integer;
        result = total;
        break;
      }
    }
    if (!result && o->default_value) result = rule_value(*o, *o->default_value);
    deciding_.erase(name);
    decided_.emplace(name, result);
    return result;
  }

  bool holds(const ast::condition& c) {
    switch (c.kind) {
      case ast::condition_kind::any_of:
        for (const ast::condition& operand : c.operands) {
          if (holds(operand)) return true;
        }
        return false;
      case ast::condition_kind::all_of:
        for (const ast::condition& operand : c.operands) {
          if (!holds(operand)) return false;
        }
        return true;
      case ast::condition_kind::negate:
        return !holds(c.operands.front());
      case ast::condition_kind::name:
        return holds_name(c.subject.text);
      case ast::condition_kind::compare:
        return holds_compare(c);
    }
    return false;
  }

 private:
  // A bare name: a let (expanded), a bool field or a flag output.
  bool holds_name(const std::string& name) {
    if (const ast::let_decl* l = find_let(p_, name)) return holds(l->cond);
    if (find_field(p_, name) != nullptr) {
      const auto it = t_.find(name);
      if (it == t_.end()) return false;  // a missing bool field is not true
      const auto* b = std::get_if<bool>(&it->second);
      return b != nullptr && *b;
    }
    const std::optional<output_value> v = decide(name);
    const auto* b = v ? std::get_if<bool>(&*v) : nullptr;
    return b != nullptr && *b;
  }

  bool holds_compare(const ast::condition& c) {
    const std::string& name = c.subject.text;
    if (c.op == ast::compare_op::is_missing || c.op == ast::compare_op::is_present) {
      const bool present = find_field(p_, name) != nullptr ? t_.count(name) != 0
                                                           : decide(name).has_value();
      return c.op == ast::compare_op::is_present ? present : !present;
    }
    const std::optional<subject_value> v = value_of(name);
    if (!v) return false;  // any comparison on a missing value is false, `!=` included

    const auto equal_to_some = [&] {
      for (const ast::literal& lit : c.values) {
        if (compare(*v, lit) == 0) return true;
      }
      return false;
    };
    const auto in_set = [&](const ast::literal& lit) { return v->set.count(lit.text) != 0; };
    switch (c.op) {
      case ast::compare_op::eq: return compare(*v, c.values.front()) == 0;
      case ast::compare_op::ne: return compare(*v, c.values.front()) != 0;
      case ast::compare_op::lt: return compare(*v, c.values.front()) < 0;
      case ast::compare_op::le: return compare(*v, c.values.front()) <= 0;
      case ast::compare_op::gt: return compare(*v, c.values.front()) > 0;
      case ast::compare_op::ge: return compare(*v, c.values.front()) >= 0;
      case ast::compare_op::in: return equal_to_some();
      case ast::compare_op::not_in: return !equal_to_some();
      case ast::compare_op::contains:
        return ascii_lower(v->text).find(ascii_lower(c.values.front().text)) != std::string::npos;
      case ast::compare_op::starts_with: {
        const std::string hay = ascii_lower(v->text);
        const std::string needle = ascii_lower(c.values.front().text);
        return hay.size() >= needle.size() && hay.compare(0, needle.size(), needle) == 0;
      }
      case ast::compare_op::ends_with: {
        const std::string hay = ascii_lower(v->text);
        const std::string needle = ascii_lower(c.values.front().text);
        return hay.size() >= needle.size() &&
               hay.compare(hay.size() - needle.size(), needle.size(), needle) == 0;
      }
      case ast::compare_op::has: return in_set(c.values.front());
      case ast::compare_op::has_any:
        for (const ast::literal& lit : c.values) {
          if (in_set(lit)) return true;
        }
        return false;
      case ast::compare_op::has_all:
        for (const ast::literal& lit : c.values) {
          if (!in_set(lit)) return false;
        }
        return true;
      case ast::compare_op::is_missing:
      case ast::compare_op::is_present:
        break;  // handled above
    }
    return false;
  }

  // The present value of a field or an output, or nothing when it is missing / absent.
  std::optional<subject_value> value_of(const std::string& name) {
    subject_value v;
    if (const ast::field_decl* f = find_field(p_, name)) {
      const auto it = t_.find(name);
      if (it == t_.end()) return std::nullopt;
      const value& raw = it->second;
      v.type = f->type.name;
      v.spec = &f->type;
      switch (f->type.name) {
        case ast::type_name::boolean:
        case ast::type_name::flag:
          v.boolean = std::get<bool>(raw);
          break;
        case ast::type_name::integer:
        case ast::type_name::duration:
          v.integer = as_int(raw);
          break;
        case ast::type_name::number:
          v.number = as_double(raw);
          break;
        case ast::type_name::string:
          v.text = std::get<std::string>(raw);
          break;
        case ast::type_name::enumeration:
          v.integer = member_position(f->type, std::get<std::string>(raw));
          break;
        case ast::type_name::tags:
          v.is_set = true;
          v.set = std::get<tag_set>(raw);
          break;
      }
      return v;
    }
    const ast::output_decl* o = find_output(p_, name);
    if (o == nullptr) return std::nullopt;
    const std::optional<output_value> decided = decide(name);
    if (!decided) return std::nullopt;
    v.type = o->type.name;
    v.spec = &o->type;
    if (const auto* b = std::get_if<bool>(&*decided)) {
      v.type = ast::type_name::boolean;
      v.boolean = *b;
    } else if (const auto* i = std::get_if<std::int64_t>(&*decided)) {
      v.integer = *i;
    } else if (const auto* s = std::get_if<std::string>(&*decided)) {
      v.text = *s;
      if (o->type.name == ast::type_name::enumeration) v.integer = member_position(o->type, *s);
    } else {
      v.is_set = true;
      for (const std::string& e : std::get<std::vector<std::string>>(*decided)) v.set.insert(e);
    }
    return v;
  }

  // The value a rule (or a default) gives its output.
  static output_value rule_value(const ast::output_decl& o, const ast::literal& lit) {
    if (o.type.name == ast::type_name::integer) return lit.integer;
    return lit.text;  // an enum member's name or a string's text
  }

  // What `max` and `min` order by: enum members by position, ints by value.
  static std::int64_t order_key(const ast::output_decl& o, const ast::literal& lit) {
    if (o.type.name == ast::type_name::enumeration) return member_position(o.type, lit.text);
    return lit.integer;
  }

  const ast::policy& p_;
  const ticket& t_;
  std::map<std::string, std::optional<output_value>> decided_;
  std::map<std::string, std::vector<std::size_t>> matched_;  // rule indices, per output
  std::set<std::string> deciding_;
};

std::string render(const output_value& v) {
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (const auto* s = std::get_if<std::string>(&v)) return json_string(*s);
  std::string out = "[";
  const auto& list = std::get<std::vector<std::string>>(v);
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i != 0) out += ',';
    out += json_string(list[i]);
  }
  return out + "]";
}

}  // namespace

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[16];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string decision::to_json() const {
  std::string out = "{";
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    if (i != 0) out += ',';
    out += json_string(outputs[i].first);
    out += ':';
    out += outputs[i].second ? render(*outputs[i].second) : "null";
  }
  return out + "}";
}

std::optional<output_value> decision::get(const std::string& name) const {
  for (const auto& [n, v] : outputs) {
    if (n == name) return v;
  }
  return std::nullopt;
}

std::optional<std::string> interpreter::validate(const ticket& t) const {
  for (const ast::field_decl& f : tree_.fields) {
    if (f.required && t.count(f.name.text) == 0) {
      return "missing required field '" + f.name.text + "'";
    }
  }
  return std::nullopt;
}

decision interpreter::evaluate(const ticket& t) const {
  evaluation e{tree_, t};
  decision d;
  for (const ast::output_decl& o : tree_.outputs) {
    d.outputs.emplace_back(o.name.text, e.decide(o.name.text));
    d.matched.push_back(e.matched(o.name.text));
  }
  return d;
}

ticket interpreter::ticket_of(const ast::test_block& test) const {
  ticket t;
  for (const ast::assignment& a : test.given) {
    const ast::field_decl* f = find_field(tree_, a.name.text);
    if (f == nullptr || a.values.empty()) continue;
    const ast::literal& lit = a.values.front();
    switch (f->type.name) {
      case ast::type_name::boolean:
      case ast::type_name::flag:
        t[a.name.text] = lit.boolean;
        break;
      case ast::type_name::integer:
      case ast::type_name::duration:
        t[a.name.text] = lit.integer;
        break;
      case ast::type_name::number:
        t[a.name.text] =
            lit.kind == ast::literal_kind::number ? lit.number : static_cast<double>(lit.integer);
        break;
      case ast::type_name::string:
      case ast::type_name::enumeration:
        t[a.name.text] = lit.text;
        break;
      case ast::type_name::tags: {
        tag_set tags;
        for (const ast::literal& l : a.values) tags.insert(l.text);
        t[a.name.text] = std::move(tags);
        break;
      }
    }
  }
  return t;
}

std::vector<std::string> interpreter::failed_expectations(const ast::test_block& test,
                                                          const decision& d) const {
  std::vector<std::string> failures;
  for (const ast::assignment& a : test.expect) {
    const ast::output_decl* o = find_output(tree_, a.name.text);
    if (o == nullptr) {
      failures.push_back(a.name.text + ": no such output");
      continue;
    }
    const std::optional<output_value> actual = d.get(a.name.text);
    const std::string found = actual ? render(*actual) : "null";
    if (a.is_missing) {
      if (actual) failures.push_back(a.name.text + ": expected null, found " + found);
      continue;
    }
    std::optional<output_value> expected;
    if (hit_of(*o) == hit::collect) {
      std::vector<std::string> values;
      for (const ast::literal& lit : a.values) values.push_back(lit.text);
      expected = values;
      // A collect output compares as a set.
      const auto* got = actual ? std::get_if<std::vector<std::string>>(&*actual) : nullptr;
      const bool same = got != nullptr && std::set<std::string>(got->begin(), got->end()) ==
                                              std::set<std::string>(values.begin(), values.end());
      if (!same) failures.push_back(a.name.text + ": expected " + render(*expected) + ", found " + found);
      continue;
    }
    const ast::literal& lit = a.values.front();
    if (o->type.name == ast::type_name::flag) {
      expected = lit.boolean;
    } else if (o->type.name == ast::type_name::integer) {
      expected = lit.integer;
    } else {
      expected = lit.text;
    }
    if (actual != expected) {
      failures.push_back(a.name.text + ": expected " + render(*expected) + ", found " + found);
    }
  }
  return failures;
}

}  // namespace triage::reference
