//go:build (linux || freebsd || openbsd || netbsd) && !wayland && cgo

package ui

/*
#cgo pkg-config: x11
#include <X11/Xlib.h>
#include <X11/Xutil.h>

static int ignoreXError(Display *d, XErrorEvent *e) { return 0; }

// demandAttention sets or clears the urgency of a top-level window the way GLFW's
// glfwRequestWindowAttention does on X11 (_NET_WM_STATE_DEMANDS_ATTENTION, which taskbars
// show), plus the ICCCM urgency hint of WM_HINTS that window managers without EWMH read.
// It runs on the UI thread, the one GLFW uses, so swapping Xlib's process-wide error
// handler for the call cannot interleave with GLFW's own: an error (the window went away)
// must not take Xlib's default path, which exits the process.
static int demandAttention(unsigned long win, int on) {
	Display *d = XOpenDisplay(NULL);
	if (!d) return -1;
	XErrorHandler prev = XSetErrorHandler(ignoreXError);
	XWMHints *h = XGetWMHints(d, (Window)win);
	if (!h) h = XAllocWMHints();
	if (h) {
		if (on) h->flags |= XUrgencyHint; else h->flags &= ~XUrgencyHint;
		XSetWMHints(d, (Window)win, h);
		XFree(h);
	}
	XEvent e = {0};
	e.xclient.type = ClientMessage;
	e.xclient.window = (Window)win;
	e.xclient.message_type = XInternAtom(d, "_NET_WM_STATE", False);
	e.xclient.format = 32;
	e.xclient.data.l[0] = on ? 1 : 0; // _NET_WM_STATE_ADD, _NET_WM_STATE_REMOVE
	e.xclient.data.l[1] = XInternAtom(d, "_NET_WM_STATE_DEMANDS_ATTENTION", False);
	e.xclient.data.l[3] = 1; // from a normal application
	XSendEvent(d, DefaultRootWindow(d), False, SubstructureNotifyMask | SubstructureRedirectMask, &e);
	XSync(d, False);
	XSetErrorHandler(prev);
	XCloseDisplay(d);
	return 0;
}
*/
import "C"

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver"
)

// windowAttention sets or clears the window's urgency hint, so that the taskbar marks the
// console when an urgent alarm arrives while another window is in front. Fyne v2.7.1 has
// no call for it (RequestFocus would steal the keyboard from whatever the operator types
// in), but it gives the native X11 window through driver.NativeWindow. It reports whether
// the hint could be set (not on the test driver, nor without an X display).
func windowAttention(w fyne.Window, on bool) bool {
	nw, ok := w.(driver.NativeWindow)
	if !ok {
		return false
	}
	var handle uintptr
	nw.RunNative(func(ctx any) {
		if x, ok := ctx.(driver.X11WindowContext); ok {
			handle = x.WindowHandle
		}
	})
	if handle == 0 {
		return false
	}
	flag := C.int(0)
	if on {
		flag = 1
	}
	return C.demandAttention(C.ulong(handle), flag) == 0
}
