#pragma once

// Test support: the shared TVS transcripts (testdata/tvs/*.hex) read back into messages.

#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace opencapf::tvs::testing {

/// A file of the shared TVS test vectors (OPENCAPF_TESTDATA/tvs/NAME).
std::string TvsVector(const std::string& name);

/// One message as it crossed the wire, reassembled from one or more socket reads/writes.
struct TranscriptMessage {
  bool from_server = false;
  Bytes bytes;
  int writes = 0;  ///< how many transcript lines it took
};

/// Parses `phone->tvs HEX` / `tvs->phone HEX` lines, joining a direction's lines until each
/// message has the body its header declares.
Result<std::vector<TranscriptMessage>> ReadTranscript(const std::string& path);

}  // namespace opencapf::tvs::testing
