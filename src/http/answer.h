#pragma once

// What the provisioning server answers a parsed request with, decided from the request and the
// files alone (no sockets): the status, the head, and the part of the file's snapshot to send.
#include <ctime>

#include "http/request.h"
#include "http/response.h"
#include "tftp/file_source.h"

namespace opencapf::http {

/// Answers one request from `files`, at wall-clock time `now`:
/// - GET and HEAD of a file: 200 with Content-Length, Content-Type, Last-Modified (when the
///   file's time is known; never later than `now`), Accept-Ranges: bytes and Date;
/// - If-Modified-Since not earlier than the file's time: 304 (ignored when If-None-Match is
///   sent, as RFC 9110 §13.1.3 says, since this server has no entity tags);
/// - one Range: 206 with Content-Range, or 416 with `Content-Range: bytes */SIZE` when it
///   starts past the end; several ranges, a Range it cannot parse, a repeated Range or an
///   If-Range that does not match the file's date: 200 with the whole file;
/// - another method: 405 with `Allow: GET, HEAD`; an HTTP major version other than 1: 505;
/// - a target that does not decode: 400; a name refused by CheckFileName: 403;
/// - the file source's refusals: kNotFound 404, kAccessViolation 403, kUnavailable 503, each
///   with the source's message (which never names a server path) as a text/plain body.
/// The response closes the connection when the request asked for that, or sent a body.
Response AnswerRequest(const Request& request, const tftp::FileSource& files, std::time_t now);

}  // namespace opencapf::http
