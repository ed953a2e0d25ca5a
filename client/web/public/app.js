// Enhancement only (every page works without it): move focus to the result banner, so a screen
// reader announces it and a keyboard user starts from it.
document.addEventListener('DOMContentLoaded', () => {
  const banner = document.getElementById('banner');
  if (banner) banner.focus();
});
