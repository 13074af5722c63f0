// The agenda's Print button: shown only when JavaScript can work it (the browser's own print works anyway).
document.addEventListener("DOMContentLoaded", () => {
  const button = document.querySelector(".agenda-print");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
