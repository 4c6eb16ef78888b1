// /api/v1: the REST API (see docs/openapi.yaml).
#include "admin/routes.h"

namespace opencapf::admin {

void RegisterApi(httplib::Server&, AdminContext&) {}

}  // namespace opencapf::admin
