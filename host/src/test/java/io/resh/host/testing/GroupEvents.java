package io.resh.host.testing;

import io.resh.core.GroupEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** Records a group's events for assertions; register {@link #listener()} when starting the group. */
public final class GroupEvents {
    private final List<GroupEvent> events = new CopyOnWriteArrayList<>();

    public Consumer<GroupEvent> listener() {
        return events::add;
    }

    public List<GroupEvent> all() {
        return List.copyOf(events);
    }

    public <T extends GroupEvent> List<T> of(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    public <T extends GroupEvent> List<T> of(Class<T> type, Predicate<T> filter) {
        return of(type).stream().filter(filter).toList();
    }

    public <T extends GroupEvent> long count(Class<T> type) {
        return of(type).size();
    }
}
