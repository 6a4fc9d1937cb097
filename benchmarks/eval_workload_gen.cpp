// Writes the evaluation benchmark's policies and their hand-written baseline (run at build
// time by benchmarks/CMakeLists.txt):
//
//   eval_workload_gen OUT_DIR
//     OUT_DIR/first_N.rules     N rules for a `first` output of 20 values and a default
//     OUT_DIR/collect_N.rules   the same conditions for a `collect` output
//     OUT_DIR/baseline_N.cpp    the same policy as a C++ if-chain over a plain struct
//     OUT_DIR/baseline.hpp      declarations and a table of the baseline functions
//
// Each rule is a conjunction of 1-4 atoms whose selectivities are chosen so that about
// three rules match a typical ticket at every size: rule i matches with probability about
// 3/N, so first hits are spread over the list rather than bunched at its top.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "eval_workload.hpp"

namespace {

using namespace triage_bench;

struct atom {
  std::string rules;  // in the policy language
  std::string cpp;    // in the baseline's C++
  double p = 1.0;     // probability that a ticket satisfies it
};

std::string member_list(const std::vector<std::string_view>& names) {
  std::string s = "[";
  for (std::size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + std::string(names[i]);
  return s + "]";
}

// An enum field: `== m`, `in [...]` or `>= m`, testing about `s * size` members.
template <std::size_t N>
atom enum_atom(rng& r, const char* field, const std::array<std::string_view, N>& members, double s) {
  const auto size = static_cast<std::uint32_t>(N);
  const auto m = std::clamp<std::uint32_t>(static_cast<std::uint32_t>(std::lround(s * size)), 1, size - 1);
  atom a;
  a.p = static_cast<double>(m) / size;
  if (m >= 2 && r.below(2) == 0) {  // an order comparison on the top members
    a.rules = std::string(field) + " >= " + std::string(members[size - m]);
    a.cpp = "t." + std::string(field) + " >= " + std::to_string(size - m);
    return a;
  }
  std::vector<std::uint32_t> all(size);
  for (std::uint32_t i = 0; i < size; ++i) all[i] = i;
  for (std::uint32_t i = 0; i < m; ++i) std::swap(all[i], all[i + r.below(size - i)]);
  std::vector<std::uint32_t> picked(all.begin(), all.begin() + m);
  std::sort(picked.begin(), picked.end());
  if (m == 1) {
    a.rules = std::string(field) + " == " + std::string(members[picked[0]]);
    a.cpp = "t." + std::string(field) + " == " + std::to_string(picked[0]);
    return a;
  }
  std::vector<std::string_view> names;
  a.cpp = "(";
  for (std::size_t i = 0; i < picked.size(); ++i) {
    names.push_back(members[picked[i]]);
    a.cpp += (i ? " || t." : "t.") + std::string(field) + " == " + std::to_string(picked[i]);
  }
  a.cpp += ")";
  a.rules = std::string(field) + " in " + member_list(names);
  return a;
}

// Atom families: 0-3 enums, 4 sla, 5 age, 6 reopened, 7 repeat_client, 8 vip, 9 tags,
// 10 client, 11 issue.
constexpr int family_count = 12;

// The selectivities a family can reach.
std::pair<double, double> family_range(int f) {
  switch (f) {
    case 0: return {0.25, 0.75};
    case 1: return {1.0 / 3, 2.0 / 3};
    case 2: return {1.0 / 6, 5.0 / 6};
    case 3: return {0.2, 0.8};
    case 4:
    case 5: return {1.0 / 4320, 1.0};
    case 6: return {1.0 / 64, 0.5};
    case 7: return {0.3, 0.7};
    case 8: return {0.1, 0.9};
    case 9: return {0.039, 0.039};
    case 10: return {0.005, 0.1};
    default: return {0.065, 0.065};
  }
}

atom make_atom(rng& r, int f, double s) {
  atom a;
  switch (f) {
    case 0: return enum_atom(r, "urgency", urgency_members, s);
    case 1: return enum_atom(r, "impact", impact_members, s);
    case 2: return enum_atom(r, "category", category_members, s);
    case 3: return enum_atom(r, "channel", channel_members, s);
    case 4: {
      const std::int64_t minutes = std::clamp<std::int64_t>(std::llround(s * max_sla / 60), 1, max_sla / 60);
      a.rules = "sla < " + std::to_string(minutes) + "m";
      a.cpp = "t.sla < " + std::to_string(minutes * 60);
      a.p = static_cast<double>(minutes * 60) / max_sla;
      return a;
    }
    case 5: {
      const std::int64_t hours = std::clamp<std::int64_t>(std::llround((1 - s) * max_age / 3600), 0, max_age / 3600 - 1);
      a.rules = "age > " + std::to_string(hours) + "h";
      a.cpp = "t.age > " + std::to_string(hours * 3600);
      a.p = 1.0 - static_cast<double>(hours * 3600) / max_age;
      return a;
    }
    case 6: {
      const long k = std::clamp<long>(std::lround(std::log2(1 / s)), 1, 6);
      a.rules = "reopened >= " + std::to_string(k);
      a.cpp = "t.reopened >= " + std::to_string(k);
      a.p = std::pow(0.5, static_cast<double>(k));
      return a;
    }
    case 7:
      if (s < 0.5) return {"repeat_client", "t.repeat_client", 0.3};
      return {"not repeat_client", "!t.repeat_client", 0.7};
    case 8:
      if (s < 0.5) return {"vip", "t.vip", 0.1};
      return {"not vip", "!t.vip", 0.9};
    case 9: {
      const std::uint32_t tag = r.below(tag_count);
      return {"tags has \"t" + std::to_string(tag) + "\"",
              "(t.tags & (std::uint64_t{1} << " + std::to_string(tag) + ")) != 0", 0.039};
    }
    case 10: {
      const auto m = std::clamp<std::uint32_t>(static_cast<std::uint32_t>(std::lround(s * client_count)), 1, 20);
      std::vector<std::uint32_t> ids;
      while (ids.size() < m) {
        const std::uint32_t id = r.below(client_count);
        if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
      }
      a.p = static_cast<double>(m) / client_count;
      if (m == 1) {
        a.rules = "client == \"client_" + std::to_string(ids[0]) + "\"";
        a.cpp = "t.client == \"client_" + std::to_string(ids[0]) + "\"";
        return a;
      }
      a.rules = "client in [";
      a.cpp = "(";
      for (std::size_t i = 0; i < ids.size(); ++i) {
        a.rules += (i ? ", \"client_" : "\"client_") + std::to_string(ids[i]) + "\"";
        a.cpp += (i ? " || t.client == \"client_" : "t.client == \"client_") + std::to_string(ids[i]) + "\"";
      }
      a.rules += "]";
      a.cpp += ")";
      return a;
    }
    default: {
      const std::string w(words[r.below(static_cast<std::uint32_t>(words.size()))]);
      return {"issue contains \"" + w + "\"",
              "std::string_view(t.issue_lower).find(\"" + w + "\") != std::string_view::npos", 0.065};
    }
  }
}

// Picks a family whose range reaches `s` (or the nearest one) among those not yet used.
int pick_family(rng& r, double s, const std::vector<bool>& used) {
  std::vector<int> fits;
  for (int f = 0; f < family_count; ++f) {
    const auto [lo, hi] = family_range(f);
    if (!used[static_cast<std::size_t>(f)] && s >= lo / 1.5 && s <= hi * 1.5) fits.push_back(f);
  }
  if (fits.empty()) {
    for (int f = 0; f < family_count; ++f) {
      if (!used[static_cast<std::size_t>(f)]) fits.push_back(f);
    }
  }
  return fits[r.below(static_cast<std::uint32_t>(fits.size()))];
}

struct rule {
  std::vector<atom> atoms;
  std::uint32_t value = 0;
};

std::vector<rule> make_rules(std::uint32_t n) {
  rng r{0x7269616765ull + n};
  const double target = std::min(0.9, 3.0 / n);
  std::vector<rule> rules(n);
  for (rule& ru : rules) {
    std::vector<bool> used(family_count, false);
    const std::uint32_t k = 1 + r.below(4);
    double p = 1.0;
    for (std::uint32_t i = 0; i < 4; ++i) {
      if (i >= k && p <= target * 2) break;  // enough atoms, selective enough
      const double s = std::pow(target / p, 1.0 / static_cast<double>(std::max<std::uint32_t>(1, k > i ? k - i : 1)));
      const int f = pick_family(r, std::min(s, 0.95), used);
      used[static_cast<std::size_t>(f)] = true;
      ru.atoms.push_back(make_atom(r, f, std::min(s, 0.95)));
      p *= ru.atoms.back().p;
    }
    ru.value = r.below(value_count);
  }
  return rules;
}

std::string schema() {
  std::string s = "# Generated by benchmarks/eval_workload_gen.cpp: do not edit.\n";
  auto enum_field = [&](const char* name, auto members) {
    s += std::string("field ") + name + ": enum {";
    for (std::size_t i = 0; i < members.size(); ++i) s += (i ? ", " : " ") + std::string(members[i]);
    s += " }\n";
  };
  enum_field("urgency", urgency_members);
  enum_field("impact", impact_members);
  enum_field("category", category_members);
  enum_field("channel", channel_members);
  s += "field sla: duration\nfield age: duration\nfield reopened: int\n"
       "field repeat_client: bool\nfield vip: bool\nfield tags: tags\n"
       "field client: string\nfield issue: string\n";
  return s;
}

std::string values() {
  std::string s;
  for (std::uint32_t v = 0; v < value_count; ++v) s += (v ? ", v" : "v") + std::to_string(v);
  return s;
}

std::string condition(const rule& ru, bool cpp) {
  std::string s;
  for (std::size_t i = 0; i < ru.atoms.size(); ++i) {
    if (i) s += cpp ? " && " : " and ";
    s += cpp ? ru.atoms[i].cpp : ru.atoms[i].rules;
  }
  return s;
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

constexpr std::uint32_t chunk = 100;  // rules per baseline function: keeps compile time low

std::string baseline_source(std::uint32_t n, const std::vector<rule>& rules) {
  std::string s = "// Generated by benchmarks/eval_workload_gen.cpp: do not edit.\n"
                  "// The hand-written-style if-chain the engine is compared with.\n"
                  "#include \"baseline.hpp\"\n\nnamespace triage_bench {\nnamespace {\n\n";
  const std::uint32_t parts = (n + chunk - 1) / chunk;
  for (std::uint32_t c = 0; c < parts; ++c) {
    s += "int first_part" + std::to_string(c) + "(const plain_ticket& t) noexcept {\n";
    for (std::uint32_t i = c * chunk; i < std::min(n, (c + 1) * chunk); ++i) {
      s += "  if (" + condition(rules[i], true) + ") return " + std::to_string(rules[i].value) + ";\n";
    }
    s += "  return -1;\n}\n\n";
    s += "void collect_part" + std::to_string(c) +
         "(const plain_ticket& t, std::uint32_t& seen, std::size_t& n, std::uint8_t* out) noexcept {\n"
         "  const auto add = [&](unsigned v) noexcept {\n"
         "    if (((seen >> v) & 1u) == 0) { seen |= 1u << v; out[n++] = static_cast<std::uint8_t>(v); }\n"
         "  };\n";
    for (std::uint32_t i = c * chunk; i < std::min(n, (c + 1) * chunk); ++i) {
      s += "  if (" + condition(rules[i], true) + ") add(" + std::to_string(rules[i].value) + ");\n";
    }
    s += "}\n\n";
  }
  s += "}  // namespace\n\n";
  const std::string N = std::to_string(n);
  s += "int baseline_first_" + N + "(const plain_ticket& t) noexcept {\n  int v = -1;\n";
  for (std::uint32_t c = 0; c < parts; ++c) {
    s += "  if ((v = first_part" + std::to_string(c) + "(t)) >= 0) return v;\n";
  }
  s += "  return " + std::to_string(value_count) + ";  // the default\n}\n\n";
  s += "std::size_t baseline_collect_" + N +
       "(const plain_ticket& t, std::uint8_t* out) noexcept {\n  std::uint32_t seen = 0;\n  std::size_t n = 0;\n";
  for (std::uint32_t c = 0; c < parts; ++c) s += "  collect_part" + std::to_string(c) + "(t, seen, n, out);\n";
  s += "  return n;\n}\n\n}  // namespace triage_bench\n";
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: eval_workload_gen OUT_DIR\n";
    return 2;
  }
  const std::string dir = argv[1];
  std::string header =
      "// Generated by benchmarks/eval_workload_gen.cpp: do not edit.\n"
      "#ifndef TRIAGE_BENCHMARKS_BASELINE_HPP\n#define TRIAGE_BENCHMARKS_BASELINE_HPP\n"
      "#include <cstddef>\n#include <cstdint>\n#include <string_view>\n#include \"eval_workload.hpp\"\n"
      "namespace triage_bench {\n";
  std::string table_first = "inline constexpr int (*baseline_first[])(const plain_ticket&) noexcept = {";
  std::string table_collect =
      "inline constexpr std::size_t (*baseline_collect[])(const plain_ticket&, std::uint8_t*) noexcept = {";
  for (const std::uint32_t n : policy_sizes) {
    const std::vector<rule> rules = make_rules(n);
    std::string first = schema() + "output route: enum { " + values() + ", unrouted } first default unrouted\n\n";
    std::string collect = schema() + "output route: enum { " + values() + " } collect\n\n";
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::string line = "r" + std::to_string(i) + ": route if " + condition(rules[i], false) + " -> v" +
                               std::to_string(rules[i].value) + "\n";
      first += line;
      collect += line;
    }
    const std::string N = std::to_string(n);
    if (!write_file(dir + "/first_" + N + ".rules", first) || !write_file(dir + "/collect_" + N + ".rules", collect) ||
        !write_file(dir + "/baseline_" + N + ".cpp", baseline_source(n, rules))) {
      std::cerr << "eval_workload_gen: cannot write to " << dir << "\n";
      return 1;
    }
    header += "int baseline_first_" + N + "(const plain_ticket& t) noexcept;\n";
    header += "std::size_t baseline_collect_" + N + "(const plain_ticket& t, std::uint8_t* out) noexcept;\n";
    table_first += " baseline_first_" + N + ",";
    table_collect += " baseline_collect_" + N + ",";
  }
  header += table_first + "};\n" + table_collect + "};\n}  // namespace triage_bench\n#endif\n";
  if (!write_file(dir + "/baseline.hpp", header)) {
    std::cerr << "eval_workload_gen: cannot write to " << dir << "\n";
    return 1;
  }
  return 0;
}
