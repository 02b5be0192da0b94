/**
 * What the gateway's tests share: {@link io.resh.gateway.testing.GatewayExtension} runs a real gateway
 * with real servers for a test and closes everything after it; small protocol clients
 * ({@link io.resh.gateway.testing.RespClient}); servers of our own and a byte-flipping shim that run as
 * replica processes; real signals and command-line clients.
 */
package io.resh.gateway.testing;
