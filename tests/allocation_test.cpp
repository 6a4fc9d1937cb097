// Evaluation allocates nothing per ticket: global operator new/delete are replaced with
// counting versions, and many tickets are set and evaluated after a warm-up.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "triage/policy.hpp"

namespace {
std::atomic<std::size_t> allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

// Every other form must be replaced too: the library's own (e.g. the nothrow form that
// std::stable_sort uses) would otherwise allocate with one allocator and free with ours,
// which AddressSanitizer rightly reports as a mismatch.
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace {
void* counted_aligned_alloc(std::size_t size, std::align_val_t align) noexcept {
  allocations.fetch_add(1, std::memory_order_relaxed);
  const auto alignment = static_cast<std::size_t>(align);
  const std::size_t rounded = (size + alignment - 1) / alignment * alignment;
  return std::aligned_alloc(alignment, rounded == 0 ? alignment : rounded);
}
}  // namespace

void* operator new(std::size_t size, std::align_val_t align) {
  if (void* p = counted_aligned_alloc(size, align)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size, std::align_val_t align) {
  if (void* p = counted_aligned_alloc(size, align)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
  return counted_aligned_alloc(size, align);
}
void* operator new[](std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
  return counted_aligned_alloc(size, align);
}
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }

namespace {

constexpr const char* policy_text = R"(
field issue:         string   required
field urgency:       enum { low, medium, high, critical } required
field impact:        enum { low, medium, high } required
field sla:           duration
field repeat_client: bool
field tags:          tags
field reopened:      int
field score:         number

output priority: enum { P1, P2, P3, P4 } first default P4
output team:     string first default "service desk"
output escalate: enum { L1, L2, L3 } max
output urgent:   flag
output notify:   enum { manager, on_call, account_owner } collect
output labels:   string collect
output risk:     int sum

let vip = tags has any ["vip", "exec"]

urgent if sla < 2h or (vip and sla < 8h)
priority if impact == high and urgency >= high -> P1
priority if impact >= medium and urgency >= medium -> P2
team if tags has any ["vpn", "wifi"] -> "network"
team if issue contains "phishing" or issue ends_with "spam" -> "security"
escalate if repeat_client -> L2
escalate if urgent and reopened >= 2 -> L3
notify if priority == P1 -> on_call
notify if vip -> account_owner
notify if not urgent -> manager
labels if score > 0.5 -> "scored"
labels if team != "network" -> "not-network"
labels if urgent -> "urgent"
risk if repeat_client -> 10
risk if reopened > 0 -> 5
)";

}  // namespace

TEST_CASE("evaluating many tickets allocates nothing after the first") {
  triage::compile_result compiled = triage::compile(policy_text, "alloc.rules");
  REQUIRE(compiled.ok());
  const auto p = compiled.value;
  triage::ticket t{p};
  triage::decision d{p};
  triage::evaluation_trace trace;
  const triage::field_handle issue = p->field("issue"), urgency = p->field("urgency"), impact = p->field("impact");
  const triage::field_handle sla = p->field("sla"), repeat = p->field("repeat_client"), tags = p->field("tags");
  const triage::field_handle reopened = p->field("reopened"), score = p->field("score");
  const char* levels[] = {"low", "medium", "high"};
  const std::string_view tag_sets[][2] = {{"vpn", "vip"}, {"exec", "x"}, {"wifi", "dns"}};
  // Long enough to need the heap, so that reuse of the string's capacity is what is tested.
  const std::string issues[] = {std::string(100, 'a') + " phishing", std::string(80, 'b') + " spam",
                                std::string(120, 'c')};

  auto run = [&](int i) {
    t.reset();
    t.set(issue, issues[i % 3]);
    t.set(urgency, levels[i % 3]);
    t.set(impact, levels[(i / 3) % 3]);
    if (i % 4 != 0) t.set(sla, std::chrono::seconds{(i * 977) % 40000});
    t.set(repeat, i % 5 == 0);
    t.set_tags(tags, tag_sets[i % 3]);
    t.set(reopened, i % 4);
    t.set(score, (i % 10) / 10.0);
    p->evaluate(t, d);
    p->evaluate(t, d, trace);
  };
  // Warm-up: the first ticket sizes the string, decision and trace storage.
  for (int i = 0; i < 3; ++i) run(i);
  std::size_t urgent = 0;
  std::size_t collected = 0;
  const std::size_t before = allocations.load();
  for (int i = 0; i < 100'000; ++i) {
    run(i);
    urgent += d.flag(p->output("urgent")) ? 1 : 0;
    collected += d.collected(p->output("labels")).size() + trace.matched(p->output("notify")).size();
  }
  const std::size_t after = allocations.load();
  CHECK(after - before == 0);
  // The loop did real work: decisions varied.
  CHECK(urgent > 0);
  CHECK(urgent < 100'000);
  CHECK(collected > 100'000);
}

TEST_CASE("decoding JSON lines into a reused ticket allocates nothing once warmed up") {
  triage::compile_result compiled = triage::compile(policy_text, "alloc.rules");
  REQUIRE(compiled.ok());
  const auto p = compiled.value;
  triage::ticket t{p};
  triage::decision d{p};
  triage::ticket_decoder decoder{p};
  std::vector<std::string> lines;
  for (int i = 0; i < 50; ++i) {
    lines.push_back(R"({"id": "T-)" + std::to_string(1000 + i) + R"(", "issue": "printer on fire", "urgency": "high", "impact": "medium", "sla": ")" +
                    std::to_string(i + 1) + R"(m", "tags": ["vip", "other"], "reopened": )" + std::to_string(i % 3) +
                    "}");
  }
  std::string json;
  json.reserve(4096);
  for (const std::string& line : lines) {
    REQUIRE(decoder.decode(line, t));
    p->evaluate(t, d);
    json.clear();
    d.append_json(json);
  }
  const std::size_t before = allocations.load();
  for (int round = 0; round < 200; ++round) {
    for (const std::string& line : lines) {
      (void)decoder.decode(line, t);
      p->evaluate(t, d);
      json.clear();
      d.append_json(json);
    }
  }
  CHECK(allocations.load() - before == 0);
  CHECK(json.find("\"priority\": \"P2\"") != std::string::npos);
  CHECK(decoder.id_json() == "\"T-1049\"");
}
