package io.stowage.bus.quarkus.testing;

import io.quarkus.arc.ClientProxy;

import java.lang.reflect.Field;

/** What a bean was given by CDI, for a wiring test that checks which instance a channel really uses. */
public final class InjectedBeans {

    private InjectedBeans() {
    }

    /** The contextual instance behind a bean reference (itself when it is not a client proxy). */
    public static Object instance(Object bean) {
        return ClientProxy.unwrap(bean);
    }

    /**
     * The contextual instance of type {@code type} that {@code bean} holds in a field (it was injected there),
     * unwrapped from its client proxy; fails when the bean holds none or several.
     */
    public static Object held(Object bean, Class<?> type) {
        Object target = instance(bean);
        Object found = null;
        for (Class<?> c = target.getClass(); c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (f.getType() == type) {
                    if (found != null) {
                        throw new IllegalArgumentException(c.getName() + " holds several " + type.getName());
                    }
                    try {
                        f.setAccessible(true);
                        found = f.get(target);
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
            if (found != null) {
                break;
            }
        }
        if (found == null) {
            throw new IllegalArgumentException(target.getClass().getName() + " holds no " + type.getName());
        }
        return instance(found);
    }
}
