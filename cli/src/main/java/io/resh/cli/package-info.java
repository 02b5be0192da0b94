/**
 * The {@code resh} command line: one picocli command per subcommand, each a thin layer over the
 * library it drives (host, gateway, exec, campaign, admin).
 */
package io.resh.cli;
