package io.resh.admin;

import io.resh.core.GroupEvent;
import java.util.function.Consumer;

/**
 * What the admin API shows of a voting gateway in front of unmodified servers (the gateway module is
 * not a dependency of this one; {@code resh serve} supplies an implementation). Read-only: resh cannot
 * checkpoint or inject faults into servers it does not control from the inside.
 */
public interface GatewayView {
    /** The gateway's group name (unique among the groups of one admin server). */
    String name();

    /**
     * Its current status as one JSON object: at least {@code group}, {@code mode}, {@code protocol},
     * {@code host}, {@code port}, {@code requests}, {@code failStop} and {@code replicas} (each with
     * {@code replica}, {@code state}, {@code pid}, {@code port}, {@code incarnation}, {@code faults},
     * {@code lastFault}). May block briefly (it asks the gateway's event loop); called on admin threads.
     */
    String statusJson();

    /** Adds a listener for the gateway's events (called on its event loop: must not block). */
    void addListener(Consumer<GroupEvent> listener);

    void removeListener(Consumer<GroupEvent> listener);
}
