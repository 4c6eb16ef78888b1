#pragma once

#include "capf/message.h"
#include "net/message_channel.h"

namespace opencapf::capf {

using net::ChannelFailure;
using net::TlsStream;
/// Whole CAPF messages on a TLS stream, one deadline each (net/message_channel.h).
using MessageChannel = net::MessageChannel<Framing>;

}  // namespace opencapf::capf
