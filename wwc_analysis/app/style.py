"""How the planning panel looks: one column on a phone, two on a wide screen, nothing scrolling sideways.

The headline stays at the top while the criteria scroll under it, so a change shows its effect.
"""

CSS = """<style>
.wwc-panel {font-family: "DejaVu Sans", Arial, sans-serif; font-size: 14px; max-width: 100%; box-sizing: border-box;
  overflow: visible}
.wwc-panel * {box-sizing: border-box}
.wwc-panel .widget-box, .wwc-panel .widget-html, .wwc-panel .widget-html-content {overflow: visible; min-width: 0;
  max-width: 100%}
.wwc-panel .widget-html, .wwc-panel .widget-html-content {height: auto}
.wwc-panel .widget-html-content {white-space: normal; overflow-wrap: anywhere; line-height: 1.4}
.wwc-panel .wwc-choice {width: 100%; max-width: 26em; margin: 2px 8px 2px 0}
.wwc-panel .wwc-choice .widget-label {width: 3.2em; min-width: 3.2em}
.wwc-panel .wwc-choice select {min-width: 0; flex: 1 1 auto}
.wwc-headline {position: sticky; top: 0; z-index: 5; background: #fff; border-bottom: 1px solid #ccc;
  padding: 2px 0; margin-bottom: 4px; box-shadow: 0 2px 4px rgba(0, 0, 0, 0.08)}
.wwc-big {font-size: 17px; margin: 4px 0}
.wwc-message p {margin: 4px 0}
.wwc-error {color: #a00; font-weight: bold}
.wwc-criteria {flex: 1 1 24rem; min-width: 0; max-width: 100%; padding-right: 8px}
.wwc-criteria > *, .wwc-criteria .widget-box {flex-shrink: 0}
.wwc-results {flex: 1 1 24rem; min-width: 0; max-width: 100%}
.wwc-row {border-left: 4px solid transparent; padding: 4px 0 6px 8px; margin: 0 0 4px; min-width: 0}
.wwc-row.wwc-changed {background: #fff4cc}
.wwc-row.wwc-path {border-left-color: #1f5fa8}
.wwc-label summary {cursor: pointer; padding: 6px 0; min-height: 28px}
.wwc-label p {margin: 4px 0 6px; color: #333}
.wwc-note {color: #555; font-size: 13px}
.wwc-status, .wwc-status .widget-toggle-buttons {display: flex; flex-wrap: wrap; max-width: 100%; width: auto}
.wwc-status .btn-group, .wwc-status > div {display: flex; flex-wrap: wrap; gap: 3px}
.wwc-status button {width: auto !important; min-width: 4.2em; height: 32px; padding: 0 0.7em; font-size: 14px;
  overflow: visible; text-overflow: clip}
.wwc-status button.mod-active {background: #1f5fa8; color: #fff}
.wwc-practice {font-weight: bold; margin-top: 10px; border-bottom: 1px solid #bbb}
.wwc-results img {max-width: 100%; height: auto; display: block}
.wwc-results h3 {font-size: 15px; margin: 12px 0 4px}
.wwc-panel button, .wwc-panel .widget-upload {max-width: 100%; white-space: normal; height: auto; min-height: 32px}
.wwc-panel .widget-button {align-self: flex-start}
.wwc-downloads a {display: inline-block; padding: 6px 0}
@media (min-width: 900px) {
  .wwc-criteria {max-height: calc(100vh - 120px); overflow-y: auto}
  .wwc-results {padding-left: 12px}
}
</style>"""
