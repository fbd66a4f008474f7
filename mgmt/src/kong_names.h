// Spellings of Kong's enumerations, each table indexed by the enum's value.
#pragma once

#include <array>
#include <string_view>

namespace ravelin::mgmt {

inline constexpr std::array<std::string_view, 8> k_protocol_names{
    "http", "https", "grpc", "grpcs", "tcp", "tls", "udp", "tls_passthrough"};
inline constexpr std::array<std::string_view, 4> k_algorithm_names{
    "round-robin", "consistent-hashing", "least-connections", "latency"};
inline constexpr std::array<std::string_view, 8> k_hash_on_names{
    "none", "consumer", "ip", "header", "cookie", "path", "query_arg", "uri_capture"};
inline constexpr std::array<std::string_view, 5> k_healthcheck_type_names{"tcp", "http", "https",
                                                                          "grpc", "grpcs"};
inline constexpr std::array<std::string_view, 2> k_path_handling_names{"v0", "v1"};
inline constexpr std::array<std::string_view, 13> k_jwt_algorithm_names{
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256",
    "ES384", "ES512", "PS256", "PS384", "PS512", "EdDSA"};

}  // namespace ravelin::mgmt
