// The evaluation benchmark's workload, shared by the generator (which writes the policies
// and the hand-written baseline at build time) and by eval_bench (which makes the tickets).
//
// Everything is derived from fixed seeds, so every build and every machine times the same
// policies and the same tickets.
#ifndef TRIAGE_BENCHMARKS_EVAL_WORKLOAD_HPP
#define TRIAGE_BENCHMARKS_EVAL_WORKLOAD_HPP

#include <array>
#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace triage_bench {

/// splitmix64: small, fast and identical everywhere (std:: distributions are not).
struct rng {
  std::uint64_t state;
  std::uint64_t next() noexcept {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Returns a value in [0, n).
  std::uint32_t below(std::uint32_t n) noexcept {
    return static_cast<std::uint32_t>(next() % n);
  }
  /// Returns a value in [0, 1).
  double unit() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
};

inline constexpr std::array<std::string_view, 4> urgency_members{"low", "medium", "high", "critical"};
inline constexpr std::array<std::string_view, 3> impact_members{"low", "medium", "high"};
inline constexpr std::array<std::string_view, 6> category_members{
    "break_fix", "request", "project", "compliance", "access", "billing"};
inline constexpr std::array<std::string_view, 5> channel_members{"email", "phone", "portal", "chat",
                                                                 "walk_in"};
inline constexpr std::uint32_t tag_count = 50;     // tags are "t0" .. "t49"
inline constexpr std::uint32_t client_count = 200; // clients are "client_0" .. "client_199"
inline constexpr std::uint32_t value_count = 20;   // output values v0 .. v19
inline constexpr std::int64_t max_sla = 72 * 3600; // sla uniform in [0, 72h)
inline constexpr std::int64_t max_age = 30 * 86400;// age uniform in [0, 30d)
inline constexpr std::array<std::string_view, 60> words{
    "vpn",      "printer", "password", "outlook",  "laptop",  "wifi",    "invoice", "refund",
    "crash",    "slow",    "login",    "badge",    "license", "monitor", "phone",   "backup",
    "database", "server",  "firewall", "phishing", "malware", "access",  "account", "reset",
    "install",  "upgrade", "error",    "timeout",  "sync",    "share",   "drive",   "folder",
    "email",    "calendar","meeting",  "camera",   "audio",   "keyboard","mouse",   "dock",
    "token",    "sso",     "mfa",      "certificate","dns",   "proxy",   "latency", "outage",
    "billing",  "contract","renewal",  "quota",    "storage", "report",  "export",  "import",
    "mobile",   "tablet",  "kiosk",    "scanner"};

/// A ticket as the hand-written baseline sees it: a plain struct, enum ordinals, tags as
/// a bitset, the issue already lower-cased.
struct plain_ticket {
  std::uint8_t urgency = 0, impact = 0, category = 0, channel = 0;
  std::int64_t sla = 0, age = 0;  // seconds
  std::int64_t reopened = 0;
  bool repeat_client = false, vip = false;
  std::uint64_t tags = 0;         // bit i: tag "t<i>"
  std::string client;
  std::string issue;              // as received (mixed case)
  std::string issue_lower;        // lower-cased once, for std::string_view::find
};

/// Makes `n` tickets from `seed`.
inline std::vector<plain_ticket> make_tickets(std::size_t n, std::uint64_t seed) {
  rng r{seed};
  std::vector<plain_ticket> out(n);
  for (plain_ticket& t : out) {
    t.urgency = static_cast<std::uint8_t>(r.below(4));
    t.impact = static_cast<std::uint8_t>(r.below(3));
    t.category = static_cast<std::uint8_t>(r.below(6));
    t.channel = static_cast<std::uint8_t>(r.below(5));
    t.sla = static_cast<std::int64_t>(r.below(static_cast<std::uint32_t>(max_sla)));
    t.age = static_cast<std::int64_t>(r.below(static_cast<std::uint32_t>(max_age)));
    // reopened: 0 half the time, then 1, 2, ... each about half as likely.
    while (t.reopened < 6 && r.below(2) == 1) ++t.reopened;
    t.repeat_client = r.below(10) < 3;
    t.vip = r.below(10) == 0;
    const std::uint32_t tags = r.below(5);  // 0-4 tags
    for (std::uint32_t i = 0; i < tags; ++i) t.tags |= std::uint64_t{1} << r.below(tag_count);
    t.client = "client_" + std::to_string(r.below(client_count));
    const std::uint32_t nwords = 3 + r.below(3);
    for (std::uint32_t i = 0; i < nwords; ++i) {
      std::string w(words[r.below(static_cast<std::uint32_t>(words.size()))]);
      // Mixed case, as people write: "VPN", "Printer", "password".
      const std::uint32_t style = r.below(3);
      if (style == 1) w[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(w[0])));
      if (style == 2) {
        for (char& c : w) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
      if (!t.issue.empty()) t.issue += ' ';
      t.issue += w;
    }
    t.issue_lower = t.issue;
    for (char& c : t.issue_lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

/// The policy sizes the suite times.
inline constexpr std::array<std::uint32_t, 4> policy_sizes{10, 100, 1000, 10000};

}  // namespace triage_bench

#endif  // TRIAGE_BENCHMARKS_EVAL_WORKLOAD_HPP
