/* check_server.c -- the server's pieces that need no socket (server/route.c):
 * routing, error bodies, the body limit, --listen, access log lines. */
#include "route.h"

#include <arpa/inet.h>
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static route find(const char *method, const char *url, int cors, int *status, const char **allow)
{
    return route_find(method, url, cors, status, allow);
}

START_TEST(routes_by_path_and_method)
{
    int st;
    const char *allow;
    ck_assert_int_eq(find("GET", "/v1/health", 0, &st, &allow), R_HEALTH);
    ck_assert_int_eq(find("HEAD", "/v1/health", 0, &st, &allow), R_HEALTH);
    ck_assert_int_eq(find("GET", "/v1/policies", 0, &st, &allow), R_POLICIES);
    ck_assert_int_eq(find("POST", "/v1/calculate", 0, &st, &allow), R_CALCULATE);
    ck_assert_int_eq(find("POST", "/v1/explain", 0, &st, &allow), R_EXPLAIN);
    ck_assert_int_eq(find("POST", "/v1/needs", 0, &st, &allow), R_NEEDS);
    ck_assert_int_eq(find("GET", "/review/explain", 0, &st, &allow), R_REVIEW_EXPLAIN);
    ck_assert_int_eq(find("GET", "/review/report", 0, &st, &allow), R_REVIEW_REPORT);
    ck_assert_int_eq(find("GET", "/", 0, &st, &allow), R_ASSET);
    ck_assert_int_eq(find("GET", "/calculator.js", 0, &st, &allow), R_ASSET);
}
END_TEST

START_TEST(wrong_method_and_unknown_path)
{
    int st;
    const char *allow;
    ck_assert_int_eq(find("GET", "/v1/calculate", 0, &st, &allow), R_NONE);
    ck_assert_int_eq(st, 405);
    ck_assert_str_eq(allow, "POST");
    ck_assert_int_eq(find("POST", "/v1/health", 0, &st, &allow), R_NONE);
    ck_assert_int_eq(st, 405);
    ck_assert_str_eq(allow, "GET, HEAD");
    ck_assert_int_eq(find("POST", "/", 0, &st, &allow), R_NONE);
    ck_assert_int_eq(st, 405);
    ck_assert_int_eq(find("GET", "/v1/calculate/", 0, &st, &allow), R_NONE);
    ck_assert_int_eq(st, 404);
    ck_assert_int_eq(find("GET", "/v1", 0, &st, &allow), R_NONE);
    ck_assert_int_eq(st, 404);
    ck_assert_int_eq(find("GET", "/review/other", 0, &st, &allow), R_NONE);
    ck_assert_int_eq(st, 404);
    ck_assert_int_eq(find("GET", "/v2/health", 0, &st, &allow), R_ASSET);
}
END_TEST

START_TEST(preflight_only_with_cors)
{
    int st;
    const char *allow;
    ck_assert_int_eq(find("OPTIONS", "/v1/calculate", 0, &st, &allow), R_NONE);
    ck_assert_int_eq(st, 405);
    ck_assert_int_eq(find("OPTIONS", "/v1/calculate", 1, &st, &allow), R_PREFLIGHT);
    ck_assert_int_eq(find("OPTIONS", "/", 1, &st, &allow), R_PREFLIGHT);
    ck_assert_int_eq(find("OPTIONS", "/v1/nothing", 1, &st, &allow), R_NONE);
    ck_assert_int_eq(st, 404);
}
END_TEST

START_TEST(error_bodies)
{
    static const struct { int status; const char *code; } want[] = {
        { 400, "bad_request" }, { 404, "not_found" }, { 405, "method_not_allowed" }, { 408, "timeout" },
        { 413, "too_large" }, { 503, "unavailable" }, { 500, "internal" },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        size_t len = 0;
        char *text = route_error_json(want[i].status, "line 1, column 2: \"quoted\"", &len);
        ck_assert_ptr_nonnull(text);
        ck_assert_uint_eq(len, strlen(text));
        json_t *doc = json_loads(text, 0, NULL);
        ck_assert_ptr_nonnull(doc);
        json_t *e = json_object_get(doc, "error");
        ck_assert_int_eq(json_integer_value(json_object_get(e, "status")), want[i].status);
        ck_assert_str_eq(json_string_value(json_object_get(e, "code")), want[i].code);
        ck_assert_str_eq(json_string_value(json_object_get(e, "message")), "line 1, column 2: \"quoted\"");
        json_decref(doc);
        free(text);
    }
}
END_TEST

START_TEST(body_limit)
{
    body b = { 0 };
    ck_assert_int_eq(body_append(&b, "12345", 5, 10), 0);
    ck_assert_int_eq(body_append(&b, "67890", 5, 10), 0);
    ck_assert_uint_eq(b.len, 10);
    ck_assert_str_eq(b.data, "1234567890");
    ck_assert_int_eq(body_append(&b, "x", 1, 10), -1);
    ck_assert(b.too_large);
    ck_assert_ptr_null(b.data);
    /* once too large, always */
    ck_assert_int_eq(body_append(&b, "", 0, 10), -1);
    body_free(&b);
    ck_assert_int_eq(body_append(&b, "x", 1, 0), -1);
    body_free(&b);
    /* a length that would wrap around */
    ck_assert_int_eq(body_append(&b, "x", 1, 4), 0);
    ck_assert_int_eq(body_append(&b, "x", (size_t)-1, (size_t)-1), -1);
    body_free(&b);
}
END_TEST

START_TEST(listen_addresses)
{
    struct sockaddr_in sa;
    char err[256];
    ck_assert_int_eq(route_parse_listen("127.0.0.1:8080", &sa, err, sizeof err), 0);
    ck_assert_int_eq(ntohs(sa.sin_port), 8080);
    ck_assert_int_eq(ntohl(sa.sin_addr.s_addr), 0x7f000001);
    ck_assert_int_eq(route_parse_listen(":0", &sa, err, sizeof err), 0);
    ck_assert_int_eq(ntohl(sa.sin_addr.s_addr), 0x7f000001);
    ck_assert_int_eq(route_parse_listen("localhost:80", &sa, err, sizeof err), 0);
    ck_assert_int_eq(route_parse_listen("0.0.0.0:443", &sa, err, sizeof err), 0);
    ck_assert_int_eq(ntohl(sa.sin_addr.s_addr), 0);
    ck_assert_int_eq(route_parse_listen("8080", &sa, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "HOST:PORT"));
    ck_assert_int_eq(route_parse_listen("127.0.0.1:65536", &sa, err, sizeof err), -1);
    ck_assert_int_eq(route_parse_listen("127.0.0.1:http", &sa, err, sizeof err), -1);
    ck_assert_int_eq(route_parse_listen("127.0.0.1:", &sa, err, sizeof err), -1);
    ck_assert_int_eq(route_parse_listen("example.org:80", &sa, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "IPv4"));
}
END_TEST

START_TEST(log_lines_mask_ids)
{
    char line[256];
    route_log_line(line, sizeof line, "POST", "/v1/calculate", NULL, 200, 7134, 1683);
    ck_assert_str_eq(line, "POST /v1/calculate 200 7134 1683\n");
    route_log_line(line, sizeof line, "GET", "/review/explain", "household=330102H000000123&policy=dibao", 200, 10, 5);
    ck_assert_str_eq(line, "GET /review/explain?household=33010*******0123&policy=dibao 200 10 5\n");
    route_log_line(line, sizeof line, "GET", "/p/330102198001011234", "", 404, 1, 2);
    ck_assert_str_eq(line, "GET /p/330102********1234 404 1 2\n");
    route_log_line(line, sizeof line, "GET", "/a\nb", NULL, 404, 1, 2);
    ck_assert_str_eq(line, "GET /a?b 404 1 2\n");
    /* cut, never past the buffer, the numbers kept */
    char small[40];
    route_log_line(small, sizeof small, "GET", "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL, 404, 1, 2);
    ck_assert_uint_lt(strlen(small), sizeof small);
    ck_assert_ptr_nonnull(strstr(small, "... 404 1 2\n"));
}
END_TEST

static Suite *server_suite(void)
{
    Suite *s = suite_create("server");
    TCase *t = tcase_create("route");
    tcase_add_test(t, routes_by_path_and_method);
    tcase_add_test(t, wrong_method_and_unknown_path);
    tcase_add_test(t, preflight_only_with_cors);
    tcase_add_test(t, error_bodies);
    tcase_add_test(t, body_limit);
    tcase_add_test(t, listen_addresses);
    tcase_add_test(t, log_lines_mask_ids);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(server_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
