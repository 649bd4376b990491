// Progressive enhancement only: every page works without this file.
import { initAll } from "/assets/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// Live notifications: the header's unread count and a banner, over graphql-transport-ws
// with the graphql-ws client library (loaded as /assets/graphql-ws.min.js).
function liveNotifications() {
  const endpoint = document.body.dataset.liveNotifications;
  if (!endpoint || !window.graphqlWs) return;
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  const client = window.graphqlWs.createClient({
    url: `${scheme}//${window.location.host}${endpoint}`,
    lazy: false,
    retryAttempts: 5,
    on: {
      // For people and for tests: the page now hears of new notifications.
      connected: () => { document.body.dataset.live = "connected"; },
      closed: () => { document.body.dataset.live = "closed"; },
    },
  });
  const count = document.getElementById("unread-count");
  const region = document.getElementById("live-notifications");
  client.subscribe(
    { query: "subscription LiveNotifications { notifications { id kind message subjectId } }" },
    {
      next(result) {
        const notification = result.data && result.data.notifications;
        if (!notification) return;
        if (count) {
          const value = Number(count.dataset.count || "0") + 1;
          count.dataset.count = String(value);
          count.textContent = String(value);
        }
        if (region) showBanner(region, notification);
      },
      error() {},
      complete() {},
    },
  );
}

function showBanner(region, notification) {
  const banner = document.createElement("div");
  banner.className = "govuk-notification-banner";
  banner.setAttribute("role", "region");
  banner.setAttribute("aria-labelledby", `live-title-${notification.id}`);
  const header = document.createElement("div");
  header.className = "govuk-notification-banner__header";
  const title = document.createElement("h2");
  title.className = "govuk-notification-banner__title";
  title.id = `live-title-${notification.id}`;
  title.textContent = "New notification";
  header.appendChild(title);
  const content = document.createElement("div");
  content.className = "govuk-notification-banner__content";
  const text = document.createElement("p");
  text.className = "govuk-notification-banner__heading";
  text.textContent = notification.message + " ";
  const link = document.createElement("a");
  link.className = "govuk-notification-banner__link";
  link.href = "/notifications";
  link.textContent = "View notifications";
  text.appendChild(link);
  content.appendChild(text);
  banner.appendChild(header);
  banner.appendChild(content);
  region.replaceChildren(banner);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", liveNotifications);
} else {
  liveNotifications();
}

// "Copy" buttons (hidden without JavaScript): data-copy names the field whose value to copy.
for (const button of document.querySelectorAll("button[data-copy]")) {
  const field = document.getElementById(button.dataset.copy);
  if (!field || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    await navigator.clipboard.writeText(field.value);
    button.textContent = "Copied";
  });
}
