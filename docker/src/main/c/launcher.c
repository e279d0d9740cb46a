/*
 * /wharf, the image's entrypoint: runs the JVM with the image's default options, then the
 * operator's WHARF_JAVA_OPTS, then `-jar /wharf.jar` and the container command.
 *
 *   exec /opt/java/bin/java @/etc/wharf/jvm.options $WHARF_JAVA_OPTS -jar /wharf.jar "$@"
 *
 * The defaults come first so an operator's option overrides them (the JVM keeps the last
 * occurrence of a flag); JDK_JAVA_OPTIONS and JAVA_TOOL_OPTIONS would be read *before* the
 * defaults and lose to them. The process is replaced (execv), so the JVM is PID 1's child-free
 * main process and receives ECS's SIGTERM directly. WHARF_JAVA_OPTS is split on whitespace;
 * quoting is not interpreted (no JVM option Wharf needs contains spaces).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef WHARF_JAVA
#define WHARF_JAVA "/opt/java/bin/java"
#endif
#ifndef WHARF_JVM_OPTIONS
#define WHARF_JVM_OPTIONS "/etc/wharf/jvm.options"
#endif
#ifndef WHARF_JAR
#define WHARF_JAR "/wharf.jar"
#endif

static int is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int main(int argc, char **argv) {
    const char *extra = getenv("WHARF_JAVA_OPTS");
    char *copy = strdup(extra == NULL ? "" : extra);
    if (copy == NULL) {
        perror("wharf");
        return 127;
    }
    size_t extra_count = 0;
    for (char *p = copy; *p != '\0'; p++) {
        if (!is_space(*p) && (p == copy || is_space(p[-1]))) extra_count++;
    }
    /* java, @options, extras..., -jar, jar, args..., NULL */
    char **args = calloc(extra_count + (size_t) argc + 4, sizeof(char *));
    if (args == NULL) {
        perror("wharf");
        return 127;
    }
    size_t n = 0;
    args[n++] = WHARF_JAVA;
    if (access(WHARF_JVM_OPTIONS, R_OK) == 0) {
        args[n++] = "@" WHARF_JVM_OPTIONS;
    }
    for (char *p = copy; *p != '\0';) {
        while (is_space(*p)) *p++ = '\0';
        if (*p == '\0') break;
        args[n++] = p;
        while (*p != '\0' && !is_space(*p)) p++;
    }
    args[n++] = "-jar";
    args[n++] = WHARF_JAR;
    for (int i = 1; i < argc; i++) {
        args[n++] = argv[i];
    }
    args[n] = NULL;
    execv(WHARF_JAVA, args);
    fprintf(stderr, "wharf: cannot run %s: %s\n", WHARF_JAVA, strerror(errno));
    return 127;
}
