import { type RouteSectionProps, useLocation, useNavigate } from "@solidjs/router";
import { createEffect, Show } from "solid-js";
import { endReason, session } from "../session.ts";

/**
 * Guards the signed-in pages. Without a session (never signed in, or a 401 just ended it) the
 * user goes to sign-in with `next` set to this page, so signing in brings them straight back.
 */
export function RequireSession(props: RouteSectionProps) {
  const navigate = useNavigate();
  const location = useLocation();
  createEffect(() => {
    if (session()) return;
    if (endReason() === "signed_out") return navigate("/sign-in", { replace: true });
    const next = encodeURIComponent(location.pathname + location.search);
    const why = endReason() === "expired" ? "&expired=1" : "";
    navigate(`/sign-in?next=${next}${why}`, { replace: true });
  });
  return <Show when={session()}>{props.children}</Show>;
}
