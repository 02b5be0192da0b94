/**
 * Validated configuration of a replica group. Built programmatically with {@link
 * io.resh.core.config.GroupConfig#builder} or from YAML by the host; either way validation happens
 * once, in {@code build()}, and names the offending field.
 */
package io.resh.core.config;
