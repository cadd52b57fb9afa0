require('zod/mini')
