// Loaded into the action's process by the demo on Windows, where one process cannot send another
// Ctrl-C: a "SIGINT" message is handed to the action's own signal listeners, as the runner's would be.
process.on('message', (message) => {
  if (message === 'SIGINT') process.emit('SIGINT')
})
// The channel must not keep the action's process alive once its work is done.
process.channel?.unref()
