package org.quietbridge.bridge.sys;

/**
 * Linux errno numbers, their symbolic names and their {@code strerror(3)} texts.
 *
 * <p>The names come from the kernel's {@code include/uapi/asm-generic/errno-base.h} and
 * {@code errno.h} (the values every Linux architecture quietbridge runs on uses: x86_64 and
 * arm64 include the generic table unchanged); the texts are glibc's {@code strerror} texts.
 * The table was generated from those headers, not typed by hand. Aliases
 * ({@code EWOULDBLOCK = EAGAIN}, {@code EDEADLOCK = EDEADLK}) are listed under their
 * primary name.
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int ENXIO = 6;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENOBUFS = 105;
    public static final int ENOPROTOOPT = 92;
    public static final int EOPNOTSUPP = 95;
    public static final int EADDRINUSE = 98;
    public static final int ENETDOWN = 100;
    public static final int EMSGSIZE = 90;

    /** name, text pairs indexed by 2 * errno. */
    private static final String[] TABLE = {
            null, null,
            "EPERM", "Operation not permitted",
            "ENOENT", "No such file or directory",
            "ESRCH", "No such process",
            "EINTR", "Interrupted system call",
            "EIO", "Input/output error",
            "ENXIO", "No such device or address",
            "E2BIG", "Argument list too long",
            "ENOEXEC", "Exec format error",
            "EBADF", "Bad file descriptor",
            "ECHILD", "No child processes",
            "EAGAIN", "Resource temporarily unavailable",
            "ENOMEM", "Cannot allocate memory",
            "EACCES", "Permission denied",
            "EFAULT", "Bad address",
            "ENOTBLK", "Block device required",
            "EBUSY", "Device or resource busy",
            "EEXIST", "File exists",
            "EXDEV", "Invalid cross-device link",
            "ENODEV", "No such device",
            "ENOTDIR", "Not a directory",
            "EISDIR", "Is a directory",
            "EINVAL", "Invalid argument",
            "ENFILE", "Too many open files in system",
            "EMFILE", "Too many open files",
            "ENOTTY", "Inappropriate ioctl for device",
            "ETXTBSY", "Text file busy",
            "EFBIG", "File too large",
            "ENOSPC", "No space left on device",
            "ESPIPE", "Illegal seek",
            "EROFS", "Read-only file system",
            "EMLINK", "Too many links",
            "EPIPE", "Broken pipe",
            "EDOM", "Numerical argument out of domain",
            "ERANGE", "Numerical result out of range",
            "EDEADLK", "Resource deadlock avoided",
            "ENAMETOOLONG", "File name too long",
            "ENOLCK", "No locks available",
            "ENOSYS", "Function not implemented",
            "ENOTEMPTY", "Directory not empty",
            "ELOOP", "Too many levels of symbolic links",
            null, null, // 41 unused on Linux
            "ENOMSG", "No message of desired type",
            "EIDRM", "Identifier removed",
            "ECHRNG", "Channel number out of range",
            "EL2NSYNC", "Level 2 not synchronized",
            "EL3HLT", "Level 3 halted",
            "EL3RST", "Level 3 reset",
            "ELNRNG", "Link number out of range",
            "EUNATCH", "Protocol driver not attached",
            "ENOCSI", "No CSI structure available",
            "EL2HLT", "Level 2 halted",
            "EBADE", "Invalid exchange",
            "EBADR", "Invalid request descriptor",
            "EXFULL", "Exchange full",
            "ENOANO", "No anode",
            "EBADRQC", "Invalid request code",
            "EBADSLT", "Invalid slot",
            null, null, // 58 unused on Linux
            "EBFONT", "Bad font file format",
            "ENOSTR", "Device not a stream",
            "ENODATA", "No data available",
            "ETIME", "Timer expired",
            "ENOSR", "Out of streams resources",
            "ENONET", "Machine is not on the network",
            "ENOPKG", "Package not installed",
            "EREMOTE", "Object is remote",
            "ENOLINK", "Link has been severed",
            "EADV", "Advertise error",
            "ESRMNT", "Srmount error",
            "ECOMM", "Communication error on send",
            "EPROTO", "Protocol error",
            "EMULTIHOP", "Multihop attempted",
            "EDOTDOT", "RFS specific error",
            "EBADMSG", "Bad message",
            "EOVERFLOW", "Value too large for defined data type",
            "ENOTUNIQ", "Name not unique on network",
            "EBADFD", "File descriptor in bad state",
            "EREMCHG", "Remote address changed",
            "ELIBACC", "Can not access a needed shared library",
            "ELIBBAD", "Accessing a corrupted shared library",
            "ELIBSCN", ".lib section in a.out corrupted",
            "ELIBMAX", "Attempting to link in too many shared libraries",
            "ELIBEXEC", "Cannot exec a shared library directly",
            "EILSEQ", "Invalid or incomplete multibyte or wide character",
            "ERESTART", "Interrupted system call should be restarted",
            "ESTRPIPE", "Streams pipe error",
            "EUSERS", "Too many users",
            "ENOTSOCK", "Socket operation on non-socket",
            "EDESTADDRREQ", "Destination address required",
            "EMSGSIZE", "Message too long",
            "EPROTOTYPE", "Protocol wrong type for socket",
            "ENOPROTOOPT", "Protocol not available",
            "EPROTONOSUPPORT", "Protocol not supported",
            "ESOCKTNOSUPPORT", "Socket type not supported",
            "EOPNOTSUPP", "Operation not supported",
            "EPFNOSUPPORT", "Protocol family not supported",
            "EAFNOSUPPORT", "Address family not supported by protocol",
            "EADDRINUSE", "Address already in use",
            "EADDRNOTAVAIL", "Cannot assign requested address",
            "ENETDOWN", "Network is down",
            "ENETUNREACH", "Network is unreachable",
            "ENETRESET", "Network dropped connection on reset",
            "ECONNABORTED", "Software caused connection abort",
            "ECONNRESET", "Connection reset by peer",
            "ENOBUFS", "No buffer space available",
            "EISCONN", "Transport endpoint is already connected",
            "ENOTCONN", "Transport endpoint is not connected",
            "ESHUTDOWN", "Cannot send after transport endpoint shutdown",
            "ETOOMANYREFS", "Too many references: cannot splice",
            "ETIMEDOUT", "Connection timed out",
            "ECONNREFUSED", "Connection refused",
            "EHOSTDOWN", "Host is down",
            "EHOSTUNREACH", "No route to host",
            "EALREADY", "Operation already in progress",
            "EINPROGRESS", "Operation now in progress",
            "ESTALE", "Stale file handle",
            "EUCLEAN", "Structure needs cleaning",
            "ENOTNAM", "Not a XENIX named type file",
            "ENAVAIL", "No XENIX semaphores available",
            "EISNAM", "Is a named type file",
            "EREMOTEIO", "Remote I/O error",
            "EDQUOT", "Disk quota exceeded",
            "ENOMEDIUM", "No medium found",
            "EMEDIUMTYPE", "Wrong medium type",
            "ECANCELED", "Operation canceled",
            "ENOKEY", "Required key not available",
            "EKEYEXPIRED", "Key has expired",
            "EKEYREVOKED", "Key has been revoked",
            "EKEYREJECTED", "Key was rejected by service",
            "EOWNERDEAD", "Owner died",
            "ENOTRECOVERABLE", "State not recoverable",
            "ERFKILL", "Operation not possible due to RF-kill",
            "EHWPOISON", "Memory page has hardware error",    };

    private Errno() {
    }

    /** The symbolic name, e.g. {@code "EINVAL"}, or {@code "E<n>"} for a number Linux does not define. */
    public static String name(int errno) {
        String name = lookup(errno, 0);
        return name != null ? name : "E" + errno;
    }

    /** The strerror text, e.g. {@code "Invalid argument"}, or {@code "Unknown error <n>"} like glibc. */
    public static String description(int errno) {
        String text = lookup(errno, 1);
        return text != null ? text : "Unknown error " + errno;
    }

    private static String lookup(int errno, int column) {
        int index = 2 * errno + column;
        return errno > 0 && index < TABLE.length ? TABLE[index] : null;
    }
}
