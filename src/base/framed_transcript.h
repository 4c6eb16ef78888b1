#pragma once

// Test support: recorded sessions of a framed protocol (testdata/capf/*.hex, testdata/tvs/*.hex)
// read back into whole messages.

#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/framed.h"
#include "base/result.h"

namespace opencapf::framed::testing {

/// One message as it crossed the wire, reassembled from one or more socket reads/writes.
struct TranscriptMessage {
  bool from_server = false;
  Bytes bytes;
  int writes = 0;  ///< how many transcript lines it took
};

/// Parses `SERVER->phone HEX` / `phone->SERVER HEX` lines, SERVER being the protocol's name in
/// lower case (`capf->phone`, `phone->tvs`), joining a direction's lines until each message has
/// the body its header declares. Bytes left over at the end are an error.
Result<std::vector<TranscriptMessage>> ReadTranscript(const Protocol& protocol,
                                                      const std::string& path);

}  // namespace opencapf::framed::testing
