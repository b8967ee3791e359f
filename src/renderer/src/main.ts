import { mount } from 'svelte'
import App from './App.svelte'
import { selectBridge } from './lib/bridge/select-bridge'
import { AppState } from './lib/state/app-state.svelte'
import './app.css'

const target = document.getElementById('app')
if (!target) throw new Error('#app is missing from index.html')

const bridge = selectBridge(window)
const app = bridge.api ? new AppState(bridge.api, bridge, window) : null

export default mount(App, { target, props: { app } })

void app?.load()
