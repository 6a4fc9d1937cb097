#include "check/order.hpp"

#include <algorithm>
#include <functional>
#include <queue>

namespace triage::detail {

namespace {

constexpr std::uint32_t unvisited = 0xFFFF'FFFFu;

// Tarjan's algorithm with an explicit stack, so that a long chain of outputs cannot
// overflow the call stack. Returns the component of every node.
std::vector<std::uint32_t> components(const output_graph& reads, std::uint32_t& count) {
  const auto n = static_cast<std::uint32_t>(reads.size());
  std::vector<std::uint32_t> index(n, unvisited), low(n, 0), component(n, unvisited);
  std::vector<bool> on_stack(n, false);
  std::vector<std::uint32_t> stack;
  struct frame {
    std::uint32_t node;
    std::size_t next_edge;
  };
  std::vector<frame> calls;
  std::uint32_t next_index = 0;
  count = 0;
  for (std::uint32_t root = 0; root < n; ++root) {
    if (index[root] != unvisited) continue;
    calls.push_back({root, 0});
    index[root] = low[root] = next_index++;
    stack.push_back(root);
    on_stack[root] = true;
    while (!calls.empty()) {
      frame& top = calls.back();
      const std::uint32_t v = top.node;
      if (top.next_edge < reads[v].size()) {
        const std::uint32_t w = reads[v][top.next_edge++];
        if (index[w] == unvisited) {
          index[w] = low[w] = next_index++;
          stack.push_back(w);
          on_stack[w] = true;
          calls.push_back({w, 0});
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      if (low[v] == index[v]) {
        std::uint32_t w = 0;
        do {
          w = stack.back();
          stack.pop_back();
          on_stack[w] = false;
          component[w] = count;
        } while (w != v);
        ++count;
      }
      calls.pop_back();
      if (!calls.empty()) {
        const std::uint32_t parent = calls.back().node;
        low[parent] = std::min(low[parent], low[v]);
      }
    }
  }
  return component;
}

}  // namespace

std::vector<std::vector<std::uint32_t>> find_cycles(const output_graph& reads) {
  std::uint32_t count = 0;
  const std::vector<std::uint32_t> component = components(reads, count);
  const auto n = static_cast<std::uint32_t>(reads.size());
  std::vector<std::uint32_t> size(count, 0);
  for (std::uint32_t v = 0; v < n; ++v) ++size[component[v]];

  std::vector<std::vector<std::uint32_t>> cycles;
  std::vector<bool> reported(count, false);
  std::vector<std::uint32_t> parent(n, unvisited);
  // Visiting outputs in index order makes each cycle start at its group's first output.
  for (std::uint32_t start = 0; start < n; ++start) {
    const std::uint32_t c = component[start];
    if (reported[c]) continue;
    reported[c] = true;
    const bool self_loop = std::binary_search(reads[start].begin(), reads[start].end(), start);
    if (self_loop) {
      cycles.push_back({start});
      continue;
    }
    if (size[c] < 2) continue;
    // Breadth-first search inside the group for the shortest way back to `start`.
    std::vector<std::uint32_t> queue{start};
    std::vector<std::uint32_t> touched{start};
    parent[start] = start;
    std::uint32_t last = unvisited;
    for (std::size_t head = 0; head < queue.size() && last == unvisited; ++head) {
      const std::uint32_t v = queue[head];
      for (const std::uint32_t w : reads[v]) {
        if (component[w] != c) continue;
        if (w == start) {
          last = v;
          break;
        }
        if (parent[w] != unvisited) continue;
        parent[w] = v;
        touched.push_back(w);
        queue.push_back(w);
      }
    }
    std::vector<std::uint32_t> path;
    for (std::uint32_t v = last; v != start; v = parent[v]) path.push_back(v);
    path.push_back(start);
    std::reverse(path.begin(), path.end());
    cycles.push_back(std::move(path));
    for (const std::uint32_t v : touched) parent[v] = unvisited;
  }
  return cycles;
}

std::vector<std::uint32_t> evaluation_order(const output_graph& reads) {
  const auto n = static_cast<std::uint32_t>(reads.size());
  // readers[p]: the outputs waiting for p; pending[o]: how many of o's reads are undecided.
  std::vector<std::vector<std::uint32_t>> readers(n);
  std::vector<std::size_t> pending(n, 0);
  for (std::uint32_t o = 0; o < n; ++o) {
    pending[o] = reads[o].size();
    for (const std::uint32_t p : reads[o]) readers[p].push_back(o);
  }
  std::priority_queue<std::uint32_t, std::vector<std::uint32_t>, std::greater<>> ready;
  for (std::uint32_t o = 0; o < n; ++o) {
    if (pending[o] == 0) ready.push(o);
  }
  std::vector<std::uint32_t> order;
  order.reserve(n);
  while (!ready.empty()) {
    const std::uint32_t o = ready.top();
    ready.pop();
    order.push_back(o);
    for (const std::uint32_t r : readers[o]) {
      if (--pending[r] == 0) ready.push(r);
    }
  }
  return order;
}

}  // namespace triage::detail
