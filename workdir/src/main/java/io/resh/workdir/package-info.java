/**
 * The temporary work directories that replica groups (host) and gateways make for themselves, {@code resh-*} in the
 * temporary directory: {@link io.resh.workdir.WorkDirOwner} locks one for as long as its process runs and removes
 * those whose process was killed with SIGKILL or crashed, which nothing else ever removes. A module of its own so
 * that the gateway, which depends on core alone, shares it with the host without pulling in the host, and core stays
 * free of I/O.
 */
package io.resh.workdir;
