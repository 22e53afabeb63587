"""How the planning panel looks: plain CSS, laid out for a phone first (one column), two columns on a wide screen."""

CSS = """<style>
.wwc-panel {font-family: "DejaVu Sans", Arial, sans-serif; font-size: 14px; max-width: 100%; box-sizing: border-box}
.wwc-panel * {box-sizing: border-box}
.wwc-panel .wwc-choice {width: 100%; max-width: 22em}
.wwc-panel .wwc-choice select {min-width: 0}
.wwc-criteria {flex: 1 1 24rem; min-width: 0; max-width: 100%; padding-right: 8px}
.wwc-results {flex: 1 1 24rem; min-width: 0; max-width: 100%}
.wwc-row {border-left: 4px solid transparent; padding: 4px 0 6px 8px; margin: 0 0 4px; min-width: 0}
.wwc-row.wwc-changed {background: #fff4cc}
.wwc-row.wwc-path {border-left-color: #1f5fa8}
.wwc-label summary {cursor: pointer; padding: 2px 0}
.wwc-label p {margin: 4px 0; color: #333}
.wwc-note {color: #555; font-size: 13px}
.wwc-status, .wwc-status .widget-toggle-buttons {display: flex; flex-wrap: wrap; max-width: 100%}
.wwc-status .btn-group, .wwc-status > div {display: flex; flex-wrap: wrap; gap: 2px}
.wwc-status button {width: auto !important; min-width: 4.2em; padding: 0 0.6em; font-size: 14px}
.wwc-practice {font-weight: bold; margin-top: 10px; border-bottom: 1px solid #bbb}
.wwc-big {font-size: 17px; margin: 4px 0}
.wwc-error {color: #a00}
.wwc-results img {max-width: 100%; height: auto}
.wwc-results h3 {font-size: 15px; margin: 12px 0 4px}
.wwc-results button, .wwc-results .widget-upload {max-width: 100%; white-space: normal; height: auto; min-height: 28px}
@media (min-width: 900px) {
  .wwc-criteria {max-height: 85vh; overflow-y: auto}
  .wwc-results {padding-left: 12px}
}
</style>"""
