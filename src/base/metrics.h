#pragma once

// Counters the services keep for `GET /metrics` (Prometheus text format): sessions by result,
// TFTP transfers, ... Each counter is a name and a label set; gauges that are read when scraped
// (sessions in flight, certificate days left) are added by the caller of Render.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace opencapf {

/// A metric's labels, in the order written: {{"result", "success"}}.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Metrics {
 public:
  /// Declares a counter (once, before it is counted): its HELP text.
  void Describe(std::string_view name, std::string_view help);
  /// Adds `delta` to the counter `name` with `labels`. Safe from any thread.
  void Count(std::string_view name, const MetricLabels& labels, std::int64_t delta = 1);
  /// The counter's value now (0 when never counted).
  std::int64_t Value(std::string_view name, const MetricLabels& labels) const;

  /// Every counter in Prometheus text exposition format 0.0.4, names in order.
  std::string Render() const;

  /// One sample line: `name{a="b"} value`, label values escaped as the format asks.
  static std::string Sample(std::string_view name, const MetricLabels& labels, double value);

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string, std::less<>> help_;
  std::map<std::string, std::map<MetricLabels, std::int64_t>, std::less<>> counters_;
};

}  // namespace opencapf
