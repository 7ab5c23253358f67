import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 470:
/***/ ((module) => {

if (true) {
    module.exports = OAuth;
}

/**
 * Constructor
 * @param {Object} opts consumer key and secret
 */
function OAuth(opts) {
    if(!(this instanceof OAuth)) {
        return new OAuth(opts);
    }

    if(!opts) {
        opts = {};
    }

    if(!opts.consumer) {
        throw new Error('consumer option is required');
    }

    this.consumer            = opts.consumer;
    this.nonce_length        = opts.nonce_length || 32;
    this.version             = opts.version || '1.0';
    this.parameter_seperator = opts.parameter_seperator || ', ';
    this.realm               = opts.realm;

    if(typeof opts.last_ampersand === 'undefined') {
        this.last_ampersand = true;
    } else {
        this.last_ampersand = opts.last_ampersand;
    }

    // default signature_method is 'PLAINTEXT'
    this.signature_method = opts.signature_method || 'PLAINTEXT';

    if(this.signature_method == 'PLAINTEXT' && !opts.hash_function) {
        opts.hash_function = function(base_string, key) {
            return key;
        }
    }

    if(!opts.hash_function) {
        throw new Error('hash_function option is required');
    }

    this.hash_function = opts.hash_function;
    this.body_hash_function = opts.body_hash_function || this.hash_function;
}

/**
 * OAuth request authorize
 * @param  {Object} request data
 * {
 *     method,
 *     url,
 *     data
 * }
 * @param  {Object} key and secret token
 * @return {Object} OAuth Authorized data
 */
OAuth.prototype.authorize = function(request, token) {
    var oauth_data = {
        oauth_consumer_key: this.consumer.key,
        oauth_nonce: this.getNonce(),
        oauth_signature_method: this.signature_method,
        oauth_timestamp: this.getTimeStamp(),
        oauth_version: this.version
    };

    if(!token) {
        token = {};
    }

    if(token.key !== undefined) {
        oauth_data.oauth_token = token.key;
    }

    if(!request.data) {
        request.data = {};
    }

    if(request.includeBodyHash) {
      oauth_data.oauth_body_hash = this.getBodyHash(request, token.secret)
    }

    oauth_data.oauth_signature = this.getSignature(request, token.secret, oauth_data);

    return oauth_data;
};

/**
 * Create a OAuth Signature
 * @param  {Object} request data
 * @param  {Object} token_secret key and secret token
 * @param  {Object} oauth_data   OAuth data
 * @return {String} Signature
 */
OAuth.prototype.getSignature = function(request, token_secret, oauth_data) {
    return this.hash_function(this.getBaseString(request, oauth_data), this.getSigningKey(token_secret));
};

/**
 * Create a OAuth Body Hash
 * @param {Object} request data
 */
OAuth.prototype.getBodyHash = function(request, token_secret) {
  var body = typeof request.data === 'string' ? request.data : JSON.stringify(request.data)

  if (!this.body_hash_function) {
    throw new Error('body_hash_function option is required');
  }

  return this.body_hash_function(body, this.getSigningKey(token_secret))
};

/**
 * Base String = Method + Base Url + ParameterString
 * @param  {Object} request data
 * @param  {Object} OAuth data
 * @return {String} Base String
 */
OAuth.prototype.getBaseString = function(request, oauth_data) {
    return request.method.toUpperCase() + '&' + this.percentEncode(this.getBaseUrl(request.url)) + '&' + this.percentEncode(this.getParameterString(request, oauth_data));
};

/**
 * Get data from url
 * -> merge with oauth data
 * -> percent encode key & value
 * -> sort
 *
 * @param  {Object} request data
 * @param  {Object} OAuth data
 * @return {Object} Parameter string data
 */
OAuth.prototype.getParameterString = function(request, oauth_data) {
    var base_string_data;
    if (oauth_data.oauth_body_hash) {
        base_string_data = this.sortObject(this.percentEncodeData(this.mergeObject(oauth_data, this.deParamUrl(request.url))));
    } else {
        base_string_data = this.sortObject(this.percentEncodeData(this.mergeObject(oauth_data, this.mergeObject(request.data, this.deParamUrl(request.url)))));
    }

    var data_str = '';

    //base_string_data to string
    for(var i = 0; i < base_string_data.length; i++) {
        var key = base_string_data[i].key;
        var value = base_string_data[i].value;
        // check if the value is an array
        // this means that this key has multiple values
        if (value && Array.isArray(value)){
          // sort the array first
          value.sort();

          var valString = "";
          // serialize all values for this key: e.g. formkey=formvalue1&formkey=formvalue2
          value.forEach((function(item, i){
            valString += key + '=' + item;
            if (i < value.length){
              valString += "&";
            }
          }).bind(this));
          data_str += valString;
        } else {
          data_str += key + '=' + value + '&';
        }
    }

    //remove the last character
    data_str = data_str.substr(0, data_str.length - 1);
    return data_str;
};

/**
 * Create a Signing Key
 * @param  {String} token_secret Secret Token
 * @return {String} Signing Key
 */
OAuth.prototype.getSigningKey = function(token_secret) {
    token_secret = token_secret || '';

    if(!this.last_ampersand && !token_secret) {
        return this.percentEncode(this.consumer.secret);
    }

    return this.percentEncode(this.consumer.secret) + '&' + this.percentEncode(token_secret);
};

/**
 * Get base url
 * @param  {String} url
 * @return {String}
 */
OAuth.prototype.getBaseUrl = function(url) {
    return url.split('?')[0];
};

/**
 * Get data from String
 * @param  {String} string
 * @return {Object}
 */
OAuth.prototype.deParam = function(string) {
    var arr = string.split('&');
    var data = {};

    for(var i = 0; i < arr.length; i++) {
        var item = arr[i].split('=');

        // '' value
        item[1] = item[1] || '';

        // check if the key already exists
        // this can occur if the QS part of the url contains duplicate keys like this: ?formkey=formvalue1&formkey=formvalue2
        if (data[item[0]]){
          // the key exists already
          if (!Array.isArray(data[item[0]])) {
            // replace the value with an array containing the already present value
            data[item[0]] = [data[item[0]]];
          }
          // and add the new found value to it
          data[item[0]].push(decodeURIComponent(item[1]));
        } else {
          // it doesn't exist, just put the found value in the data object
          data[item[0]] = decodeURIComponent(item[1]);
        }
    }

    return data;
};

/**
 * Get data from url
 * @param  {String} url
 * @return {Object}
 */
OAuth.prototype.deParamUrl = function(url) {
    var tmp = url.split('?');

    if (tmp.length === 1)
        return {};

    return this.deParam(tmp[1]);
};

/**
 * Percent Encode
 * @param  {String} str
 * @return {String} percent encoded string
 */
OAuth.prototype.percentEncode = function(str) {
    return encodeURIComponent(str)
        .replace(/\!/g, "%21")
        .replace(/\*/g, "%2A")
        .replace(/\'/g, "%27")
        .replace(/\(/g, "%28")
        .replace(/\)/g, "%29");
};

/**
 * Percent Encode Object
 * @param  {Object} data
 * @return {Object} percent encoded data
 */
OAuth.prototype.percentEncodeData = function(data) {
    var result = {};

    for(var key in data) {
        var value = data[key];
        // check if the value is an array
        if (value && Array.isArray(value)){
          var newValue = [];
          // percentEncode every value
          value.forEach((function(val){
            newValue.push(this.percentEncode(val));
          }).bind(this));
          value = newValue;
        } else {
          value = this.percentEncode(value);
        }
        result[this.percentEncode(key)] = value;
    }

    return result;
};

/**
 * Get OAuth data as Header
 * @param  {Object} oauth_data
 * @return {String} Header data key - value
 */
OAuth.prototype.toHeader = function(oauth_data) {
    var sorted = this.sortObject(oauth_data);

    var header_value = 'OAuth ';

    if (this.realm) {
        header_value += 'realm="' + this.realm + '"' + this.parameter_seperator;
    }

    for(var i = 0; i < sorted.length; i++) {
        if (sorted[i].key.indexOf('oauth_') !== 0)
            continue;

        header_value += this.percentEncode(sorted[i].key) + '="' + this.percentEncode(sorted[i].value) + '"' + this.parameter_seperator;
    }

    return {
        Authorization: header_value.substr(0, header_value.length - this.parameter_seperator.length) //cut the last chars
    };
};

/**
 * Create a random word characters string with input length
 * @return {String} a random word characters string
 */
OAuth.prototype.getNonce = function() {
    var word_characters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    var result = '';

    for(var i = 0; i < this.nonce_length; i++) {
        result += word_characters[parseInt(Math.random() * word_characters.length, 10)];
    }

    return result;
};

/**
 * Get Current Unix TimeStamp
 * @return {Int} current unix timestamp
 */
OAuth.prototype.getTimeStamp = function() {
    return parseInt(new Date().getTime()/1000, 10);
};

////////////////////// HELPER FUNCTIONS //////////////////////

/**
 * Merge object
 * @param  {Object} obj1
 * @param  {Object} obj2
 * @return {Object}
 */
OAuth.prototype.mergeObject = function(obj1, obj2) {
    obj1 = obj1 || {};
    obj2 = obj2 || {};

    var merged_obj = obj1;
    for(var key in obj2) {
        merged_obj[key] = obj2[key];
    }
    return merged_obj;
};

/**
 * Sort object by key
 * @param  {Object} data
 * @return {Array} sorted array
 */
OAuth.prototype.sortObject = function(data) {
    var keys = Object.keys(data);
    var result = [];

    keys.sort();

    for(var i = 0; i < keys.length; i++) {
        var key = keys[i];
        result.push({
            key: key,
            value: data[key],
        });
    }

    return result;
};


/***/ }),

/***/ 770:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

module.exports = __nccwpck_require__(218);


/***/ }),

/***/ 218:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var net = __nccwpck_require__(278);
var tls = __nccwpck_require__(756);
var http = __nccwpck_require__(611);
var https = __nccwpck_require__(692);
var events = __nccwpck_require__(434);
var assert = __nccwpck_require__(613);
var util = __nccwpck_require__(23);


exports.httpOverHttp = httpOverHttp;
exports.httpsOverHttp = httpsOverHttp;
exports.httpOverHttps = httpOverHttps;
exports.httpsOverHttps = httpsOverHttps;


function httpOverHttp(options) {
  var agent = new TunnelingAgent(options);
  agent.request = http.request;
  return agent;
}

function httpsOverHttp(options) {
  var agent = new TunnelingAgent(options);
  agent.request = http.request;
  agent.createSocket = createSecureSocket;
  agent.defaultPort = 443;
  return agent;
}

function httpOverHttps(options) {
  var agent = new TunnelingAgent(options);
  agent.request = https.request;
  return agent;
}

function httpsOverHttps(options) {
  var agent = new TunnelingAgent(options);
  agent.request = https.request;
  agent.createSocket = createSecureSocket;
  agent.defaultPort = 443;
  return agent;
}


function TunnelingAgent(options) {
  var self = this;
  self.options = options || {};
  self.proxyOptions = self.options.proxy || {};
  self.maxSockets = self.options.maxSockets || http.Agent.defaultMaxSockets;
  self.requests = [];
  self.sockets = [];

  self.on('free', function onFree(socket, host, port, localAddress) {
    var options = toOptions(host, port, localAddress);
    for (var i = 0, len = self.requests.length; i < len; ++i) {
      var pending = self.requests[i];
      if (pending.host === options.host && pending.port === options.port) {
        // Detect the request to connect same origin server,
        // reuse the connection.
        self.requests.splice(i, 1);
        pending.request.onSocket(socket);
        return;
      }
    }
    socket.destroy();
    self.removeSocket(socket);
  });
}
util.inherits(TunnelingAgent, events.EventEmitter);

TunnelingAgent.prototype.addRequest = function addRequest(req, host, port, localAddress) {
  var self = this;
  var options = mergeOptions({request: req}, self.options, toOptions(host, port, localAddress));

  if (self.sockets.length >= this.maxSockets) {
    // We are over limit so we'll add it to the queue.
    self.requests.push(options);
    return;
  }

  // If we are under maxSockets create a new one.
  self.createSocket(options, function(socket) {
    socket.on('free', onFree);
    socket.on('close', onCloseOrRemove);
    socket.on('agentRemove', onCloseOrRemove);
    req.onSocket(socket);

    function onFree() {
      self.emit('free', socket, options);
    }

    function onCloseOrRemove(err) {
      self.removeSocket(socket);
      socket.removeListener('free', onFree);
      socket.removeListener('close', onCloseOrRemove);
      socket.removeListener('agentRemove', onCloseOrRemove);
    }
  });
};

TunnelingAgent.prototype.createSocket = function createSocket(options, cb) {
  var self = this;
  var placeholder = {};
  self.sockets.push(placeholder);

  var connectOptions = mergeOptions({}, self.proxyOptions, {
    method: 'CONNECT',
    path: options.host + ':' + options.port,
    agent: false,
    headers: {
      host: options.host + ':' + options.port
    }
  });
  if (options.localAddress) {
    connectOptions.localAddress = options.localAddress;
  }
  if (connectOptions.proxyAuth) {
    connectOptions.headers = connectOptions.headers || {};
    connectOptions.headers['Proxy-Authorization'] = 'Basic ' +
        new Buffer(connectOptions.proxyAuth).toString('base64');
  }

  debug('making CONNECT request');
  var connectReq = self.request(connectOptions);
  connectReq.useChunkedEncodingByDefault = false; // for v0.6
  connectReq.once('response', onResponse); // for v0.6
  connectReq.once('upgrade', onUpgrade);   // for v0.6
  connectReq.once('connect', onConnect);   // for v0.7 or later
  connectReq.once('error', onError);
  connectReq.end();

  function onResponse(res) {
    // Very hacky. This is necessary to avoid http-parser leaks.
    res.upgrade = true;
  }

  function onUpgrade(res, socket, head) {
    // Hacky.
    process.nextTick(function() {
      onConnect(res, socket, head);
    });
  }

  function onConnect(res, socket, head) {
    connectReq.removeAllListeners();
    socket.removeAllListeners();

    if (res.statusCode !== 200) {
      debug('tunneling socket could not be established, statusCode=%d',
        res.statusCode);
      socket.destroy();
      var error = new Error('tunneling socket could not be established, ' +
        'statusCode=' + res.statusCode);
      error.code = 'ECONNRESET';
      options.request.emit('error', error);
      self.removeSocket(placeholder);
      return;
    }
    if (head.length > 0) {
      debug('got illegal response body from proxy');
      socket.destroy();
      var error = new Error('got illegal response body from proxy');
      error.code = 'ECONNRESET';
      options.request.emit('error', error);
      self.removeSocket(placeholder);
      return;
    }
    debug('tunneling connection has established');
    self.sockets[self.sockets.indexOf(placeholder)] = socket;
    return cb(socket);
  }

  function onError(cause) {
    connectReq.removeAllListeners();

    debug('tunneling socket could not be established, cause=%s\n',
          cause.message, cause.stack);
    var error = new Error('tunneling socket could not be established, ' +
                          'cause=' + cause.message);
    error.code = 'ECONNRESET';
    options.request.emit('error', error);
    self.removeSocket(placeholder);
  }
};

TunnelingAgent.prototype.removeSocket = function removeSocket(socket) {
  var pos = this.sockets.indexOf(socket)
  if (pos === -1) {
    return;
  }
  this.sockets.splice(pos, 1);

  var pending = this.requests.shift();
  if (pending) {
    // If we have pending requests and a socket gets closed a new one
    // needs to be created to take over in the pool for the one that closed.
    this.createSocket(pending, function(socket) {
      pending.request.onSocket(socket);
    });
  }
};

function createSecureSocket(options, cb) {
  var self = this;
  TunnelingAgent.prototype.createSocket.call(self, options, function(socket) {
    var hostHeader = options.request.getHeader('host');
    var tlsOptions = mergeOptions({}, self.options, {
      socket: socket,
      servername: hostHeader ? hostHeader.replace(/:.*$/, '') : options.host
    });

    // 0 is dummy port for v0.6
    var secureSocket = tls.connect(0, tlsOptions);
    self.sockets[self.sockets.indexOf(socket)] = secureSocket;
    cb(secureSocket);
  });
}


function toOptions(host, port, localAddress) {
  if (typeof host === 'string') { // since v0.10
    return {
      host: host,
      port: port,
      localAddress: localAddress
    };
  }
  return host; // for v0.11 or later
}

function mergeOptions(target) {
  for (var i = 1, len = arguments.length; i < len; ++i) {
    var overrides = arguments[i];
    if (typeof overrides === 'object') {
      var keys = Object.keys(overrides);
      for (var j = 0, keyLen = keys.length; j < keyLen; ++j) {
        var k = keys[j];
        if (overrides[k] !== undefined) {
          target[k] = overrides[k];
        }
      }
    }
  }
  return target;
}


var debug;
if (process.env.NODE_DEBUG && /\btunnel\b/.test(process.env.NODE_DEBUG)) {
  debug = function() {
    var args = Array.prototype.slice.call(arguments);
    if (typeof args[0] === 'string') {
      args[0] = 'TUNNEL: ' + args[0];
    } else {
      args.unshift('TUNNEL:');
    }
    console.error.apply(console, args);
  }
} else {
  debug = function() {};
}
exports.debug = debug; // for test


/***/ }),

/***/ 833:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   d: () => (/* binding */ cancelOnSignals)
/* harmony export */ });
/**
 * A cancel from outside as a signal the run can stop on: the runner's cancel (SIGINT, then
 * SIGTERM 7.5 s later) or Jenkins' abort. Both stay caught until release(), so a second signal
 * cannot cut short the writing of the outcome.
 */
function cancelOnSignals() {
    const controller = new AbortController();
    const cancel = () => controller.abort(new Error('cancelled'));
    process.on('SIGINT', cancel);
    process.on('SIGTERM', cancel);
    return {
        signal: controller.signal,
        release: () => {
            process.off('SIGINT', cancel);
            process.off('SIGTERM', cancel);
        }
    };
}


/***/ }),

/***/ 407:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _signals_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(970);
/* harmony import */ var _main_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(739);
/** The action's entry point, bundled to dist/index.js. */
// First: the signal handlers are installed as this module loads, before the rest of the action.


await (0,_main_js__WEBPACK_IMPORTED_MODULE_1__/* .run */ .e)(_signals_js__WEBPACK_IMPORTED_MODULE_0__/* .runCancel */ .Q);

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 739:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  e: () => (/* binding */ run)
});

// NAMESPACE OBJECT: ./node_modules/@actions/core/lib/core.js
var core_namespaceObject = {};
__nccwpck_require__.r(core_namespaceObject);
__nccwpck_require__.d(core_namespaceObject, {
  Yz: () => (core_debug),
  z3: () => (error),
  V4: () => (getInput),
  pq: () => (info),
  C1: () => (setFailed),
  uH: () => (setOutput),
  Pq: () => (core_setSecret),
  z: () => (summary),
  $e: () => (warning)
});

// EXTERNAL MODULE: external "os"
var external_os_ = __nccwpck_require__(857);
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/utils.js
// We use any as a valid input type
/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Sanitizes an input into a string so it can be passed into issueCommand safely
 * @param input input to sanitize into a string
 */
function utils_toCommandValue(input) {
    if (input === null || input === undefined) {
        return '';
    }
    else if (typeof input === 'string' || input instanceof String) {
        return input;
    }
    return JSON.stringify(input);
}
/**
 *
 * @param annotationProperties
 * @returns The command properties to send with the actual annotation command
 * See IssueCommandProperties: https://github.com/actions/runner/blob/main/src/Runner.Worker/ActionCommandManager.cs#L646
 */
function utils_toCommandProperties(annotationProperties) {
    if (!Object.keys(annotationProperties).length) {
        return {};
    }
    return {
        title: annotationProperties.title,
        file: annotationProperties.file,
        line: annotationProperties.startLine,
        endLine: annotationProperties.endLine,
        col: annotationProperties.startColumn,
        endColumn: annotationProperties.endColumn
    };
}
//# sourceMappingURL=utils.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/command.js


/**
 * Issues a command to the GitHub Actions runner
 *
 * @param command - The command name to issue
 * @param properties - Additional properties for the command (key-value pairs)
 * @param message - The message to include with the command
 * @remarks
 * This function outputs a specially formatted string to stdout that the Actions
 * runner interprets as a command. These commands can control workflow behavior,
 * set outputs, create annotations, mask values, and more.
 *
 * Command Format:
 *   ::name key=value,key=value::message
 *
 * @example
 * ```typescript
 * // Issue a warning annotation
 * issueCommand('warning', {}, 'This is a warning message');
 * // Output: ::warning::This is a warning message
 *
 * // Set an environment variable
 * issueCommand('set-env', { name: 'MY_VAR' }, 'some value');
 * // Output: ::set-env name=MY_VAR::some value
 *
 * // Add a secret mask
 * issueCommand('add-mask', {}, 'secretValue123');
 * // Output: ::add-mask::secretValue123
 * ```
 *
 * @internal
 * This is an internal utility function that powers the public API functions
 * such as setSecret, warning, error, and exportVariable.
 */
function command_issueCommand(command, properties, message) {
    const cmd = new Command(command, properties, message);
    process.stdout.write(cmd.toString() + external_os_.EOL);
}
function command_issue(name, message = '') {
    command_issueCommand(name, {}, message);
}
const CMD_STRING = '::';
class Command {
    constructor(command, properties, message) {
        if (!command) {
            command = 'missing.command';
        }
        this.command = command;
        this.properties = properties;
        this.message = message;
    }
    toString() {
        let cmdStr = CMD_STRING + this.command;
        if (this.properties && Object.keys(this.properties).length > 0) {
            cmdStr += ' ';
            let first = true;
            for (const key in this.properties) {
                if (this.properties.hasOwnProperty(key)) {
                    const val = this.properties[key];
                    if (val) {
                        if (first) {
                            first = false;
                        }
                        else {
                            cmdStr += ',';
                        }
                        cmdStr += `${key}=${escapeProperty(val)}`;
                    }
                }
            }
        }
        cmdStr += `${CMD_STRING}${escapeData(this.message)}`;
        return cmdStr;
    }
}
function escapeData(s) {
    return utils_toCommandValue(s)
        .replace(/%/g, '%25')
        .replace(/\r/g, '%0D')
        .replace(/\n/g, '%0A');
}
function escapeProperty(s) {
    return utils_toCommandValue(s)
        .replace(/%/g, '%25')
        .replace(/\r/g, '%0D')
        .replace(/\n/g, '%0A')
        .replace(/:/g, '%3A')
        .replace(/,/g, '%2C');
}
//# sourceMappingURL=command.js.map
;// CONCATENATED MODULE: external "crypto"
const external_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("crypto");
// EXTERNAL MODULE: external "fs"
var external_fs_ = __nccwpck_require__(896);
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/file-command.js
// For internal use, subject to change.
// We use any as a valid input type
/* eslint-disable @typescript-eslint/no-explicit-any */




function file_command_issueFileCommand(command, message) {
    const filePath = process.env[`GITHUB_${command}`];
    if (!filePath) {
        throw new Error(`Unable to find environment variable for file command ${command}`);
    }
    if (!external_fs_.existsSync(filePath)) {
        throw new Error(`Missing file at path: ${filePath}`);
    }
    external_fs_.appendFileSync(filePath, `${utils_toCommandValue(message)}${external_os_.EOL}`, {
        encoding: 'utf8'
    });
}
function file_command_prepareKeyValueMessage(key, value) {
    const delimiter = `ghadelimiter_${external_crypto_namespaceObject.randomUUID()}`;
    const convertedValue = utils_toCommandValue(value);
    // These should realistically never happen, but just in case someone finds a
    // way to exploit uuid generation let's not allow keys or values that contain
    // the delimiter.
    if (key.includes(delimiter)) {
        throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`);
    }
    if (convertedValue.includes(delimiter)) {
        throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`);
    }
    return `${key}<<${delimiter}${external_os_.EOL}${convertedValue}${external_os_.EOL}${delimiter}`;
}
//# sourceMappingURL=file-command.js.map
;// CONCATENATED MODULE: external "path"
const external_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("path");
// EXTERNAL MODULE: external "http"
var external_http_ = __nccwpck_require__(611);
// EXTERNAL MODULE: external "https"
var external_https_ = __nccwpck_require__(692);
;// CONCATENATED MODULE: ./node_modules/@actions/http-client/lib/proxy.js
function getProxyUrl(reqUrl) {
    const usingSsl = reqUrl.protocol === 'https:';
    if (checkBypass(reqUrl)) {
        return undefined;
    }
    const proxyVar = (() => {
        if (usingSsl) {
            return process.env['https_proxy'] || process.env['HTTPS_PROXY'];
        }
        else {
            return process.env['http_proxy'] || process.env['HTTP_PROXY'];
        }
    })();
    if (proxyVar) {
        try {
            return new DecodedURL(proxyVar);
        }
        catch (_a) {
            if (!proxyVar.startsWith('http://') && !proxyVar.startsWith('https://'))
                return new DecodedURL(`http://${proxyVar}`);
        }
    }
    else {
        return undefined;
    }
}
function checkBypass(reqUrl) {
    if (!reqUrl.hostname) {
        return false;
    }
    const reqHost = reqUrl.hostname;
    if (isLoopbackAddress(reqHost)) {
        return true;
    }
    const noProxy = process.env['no_proxy'] || process.env['NO_PROXY'] || '';
    if (!noProxy) {
        return false;
    }
    // Determine the request port
    let reqPort;
    if (reqUrl.port) {
        reqPort = Number(reqUrl.port);
    }
    else if (reqUrl.protocol === 'http:') {
        reqPort = 80;
    }
    else if (reqUrl.protocol === 'https:') {
        reqPort = 443;
    }
    // Format the request hostname and hostname with port
    const upperReqHosts = [reqUrl.hostname.toUpperCase()];
    if (typeof reqPort === 'number') {
        upperReqHosts.push(`${upperReqHosts[0]}:${reqPort}`);
    }
    // Compare request host against noproxy
    for (const upperNoProxyItem of noProxy
        .split(',')
        .map(x => x.trim().toUpperCase())
        .filter(x => x)) {
        if (upperNoProxyItem === '*' ||
            upperReqHosts.some(x => x === upperNoProxyItem ||
                x.endsWith(`.${upperNoProxyItem}`) ||
                (upperNoProxyItem.startsWith('.') &&
                    x.endsWith(`${upperNoProxyItem}`)))) {
            return true;
        }
    }
    return false;
}
function isLoopbackAddress(host) {
    const hostLower = host.toLowerCase();
    return (hostLower === 'localhost' ||
        hostLower.startsWith('127.') ||
        hostLower.startsWith('[::1]') ||
        hostLower.startsWith('[0:0:0:0:0:0:0:1]'));
}
class DecodedURL extends URL {
    constructor(url, base) {
        super(url, base);
        this._decodedUsername = decodeURIComponent(super.username);
        this._decodedPassword = decodeURIComponent(super.password);
    }
    get username() {
        return this._decodedUsername;
    }
    get password() {
        return this._decodedPassword;
    }
}
//# sourceMappingURL=proxy.js.map
// EXTERNAL MODULE: ./node_modules/tunnel/index.js
var node_modules_tunnel = __nccwpck_require__(770);
;// CONCATENATED MODULE: ./node_modules/@actions/http-client/lib/index.js
/* eslint-disable @typescript-eslint/no-explicit-any */
var __awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};





var HttpCodes;
(function (HttpCodes) {
    HttpCodes[HttpCodes["OK"] = 200] = "OK";
    HttpCodes[HttpCodes["MultipleChoices"] = 300] = "MultipleChoices";
    HttpCodes[HttpCodes["MovedPermanently"] = 301] = "MovedPermanently";
    HttpCodes[HttpCodes["ResourceMoved"] = 302] = "ResourceMoved";
    HttpCodes[HttpCodes["SeeOther"] = 303] = "SeeOther";
    HttpCodes[HttpCodes["NotModified"] = 304] = "NotModified";
    HttpCodes[HttpCodes["UseProxy"] = 305] = "UseProxy";
    HttpCodes[HttpCodes["SwitchProxy"] = 306] = "SwitchProxy";
    HttpCodes[HttpCodes["TemporaryRedirect"] = 307] = "TemporaryRedirect";
    HttpCodes[HttpCodes["PermanentRedirect"] = 308] = "PermanentRedirect";
    HttpCodes[HttpCodes["BadRequest"] = 400] = "BadRequest";
    HttpCodes[HttpCodes["Unauthorized"] = 401] = "Unauthorized";
    HttpCodes[HttpCodes["PaymentRequired"] = 402] = "PaymentRequired";
    HttpCodes[HttpCodes["Forbidden"] = 403] = "Forbidden";
    HttpCodes[HttpCodes["NotFound"] = 404] = "NotFound";
    HttpCodes[HttpCodes["MethodNotAllowed"] = 405] = "MethodNotAllowed";
    HttpCodes[HttpCodes["NotAcceptable"] = 406] = "NotAcceptable";
    HttpCodes[HttpCodes["ProxyAuthenticationRequired"] = 407] = "ProxyAuthenticationRequired";
    HttpCodes[HttpCodes["RequestTimeout"] = 408] = "RequestTimeout";
    HttpCodes[HttpCodes["Conflict"] = 409] = "Conflict";
    HttpCodes[HttpCodes["Gone"] = 410] = "Gone";
    HttpCodes[HttpCodes["TooManyRequests"] = 429] = "TooManyRequests";
    HttpCodes[HttpCodes["InternalServerError"] = 500] = "InternalServerError";
    HttpCodes[HttpCodes["NotImplemented"] = 501] = "NotImplemented";
    HttpCodes[HttpCodes["BadGateway"] = 502] = "BadGateway";
    HttpCodes[HttpCodes["ServiceUnavailable"] = 503] = "ServiceUnavailable";
    HttpCodes[HttpCodes["GatewayTimeout"] = 504] = "GatewayTimeout";
})(HttpCodes || (HttpCodes = {}));
var Headers;
(function (Headers) {
    Headers["Accept"] = "accept";
    Headers["ContentType"] = "content-type";
})(Headers || (Headers = {}));
var MediaTypes;
(function (MediaTypes) {
    MediaTypes["ApplicationJson"] = "application/json";
})(MediaTypes || (MediaTypes = {}));
/**
 * Returns the proxy URL, depending upon the supplied url and proxy environment variables.
 * @param serverUrl  The server URL where the request will be sent. For example, https://api.github.com
 */
function lib_getProxyUrl(serverUrl) {
    const proxyUrl = pm.getProxyUrl(new URL(serverUrl));
    return proxyUrl ? proxyUrl.href : '';
}
const HttpRedirectCodes = [
    HttpCodes.MovedPermanently,
    HttpCodes.ResourceMoved,
    HttpCodes.SeeOther,
    HttpCodes.TemporaryRedirect,
    HttpCodes.PermanentRedirect
];
const HttpResponseRetryCodes = [
    HttpCodes.BadGateway,
    HttpCodes.ServiceUnavailable,
    HttpCodes.GatewayTimeout
];
const RetryableHttpVerbs = (/* unused pure expression or super */ null && (['OPTIONS', 'GET', 'DELETE', 'HEAD']));
const ExponentialBackoffCeiling = 10;
const ExponentialBackoffTimeSlice = 5;
class HttpClientError extends Error {
    constructor(message, statusCode) {
        super(message);
        this.name = 'HttpClientError';
        this.statusCode = statusCode;
        Object.setPrototypeOf(this, HttpClientError.prototype);
    }
}
class HttpClientResponse {
    constructor(message) {
        this.message = message;
    }
    readBody() {
        return __awaiter(this, void 0, void 0, function* () {
            return new Promise((resolve) => __awaiter(this, void 0, void 0, function* () {
                let output = Buffer.alloc(0);
                this.message.on('data', (chunk) => {
                    output = Buffer.concat([output, chunk]);
                });
                this.message.on('end', () => {
                    resolve(output.toString());
                });
            }));
        });
    }
    readBodyBuffer() {
        return __awaiter(this, void 0, void 0, function* () {
            return new Promise((resolve) => __awaiter(this, void 0, void 0, function* () {
                const chunks = [];
                this.message.on('data', (chunk) => {
                    chunks.push(chunk);
                });
                this.message.on('end', () => {
                    resolve(Buffer.concat(chunks));
                });
            }));
        });
    }
}
function isHttps(requestUrl) {
    const parsedUrl = new URL(requestUrl);
    return parsedUrl.protocol === 'https:';
}
class lib_HttpClient {
    constructor(userAgent, handlers, requestOptions) {
        this._ignoreSslError = false;
        this._allowRedirects = true;
        this._allowRedirectDowngrade = false;
        this._maxRedirects = 50;
        this._allowRetries = false;
        this._maxRetries = 1;
        this._keepAlive = false;
        this._disposed = false;
        this.userAgent = this._getUserAgentWithOrchestrationId(userAgent);
        this.handlers = handlers || [];
        this.requestOptions = requestOptions;
        if (requestOptions) {
            if (requestOptions.ignoreSslError != null) {
                this._ignoreSslError = requestOptions.ignoreSslError;
            }
            this._socketTimeout = requestOptions.socketTimeout;
            if (requestOptions.allowRedirects != null) {
                this._allowRedirects = requestOptions.allowRedirects;
            }
            if (requestOptions.allowRedirectDowngrade != null) {
                this._allowRedirectDowngrade = requestOptions.allowRedirectDowngrade;
            }
            if (requestOptions.maxRedirects != null) {
                this._maxRedirects = Math.max(requestOptions.maxRedirects, 0);
            }
            if (requestOptions.keepAlive != null) {
                this._keepAlive = requestOptions.keepAlive;
            }
            if (requestOptions.allowRetries != null) {
                this._allowRetries = requestOptions.allowRetries;
            }
            if (requestOptions.maxRetries != null) {
                this._maxRetries = requestOptions.maxRetries;
            }
        }
    }
    options(requestUrl, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request('OPTIONS', requestUrl, null, additionalHeaders || {});
        });
    }
    get(requestUrl, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request('GET', requestUrl, null, additionalHeaders || {});
        });
    }
    del(requestUrl, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request('DELETE', requestUrl, null, additionalHeaders || {});
        });
    }
    post(requestUrl, data, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request('POST', requestUrl, data, additionalHeaders || {});
        });
    }
    patch(requestUrl, data, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request('PATCH', requestUrl, data, additionalHeaders || {});
        });
    }
    put(requestUrl, data, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request('PUT', requestUrl, data, additionalHeaders || {});
        });
    }
    head(requestUrl, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request('HEAD', requestUrl, null, additionalHeaders || {});
        });
    }
    sendStream(verb, requestUrl, stream, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request(verb, requestUrl, stream, additionalHeaders);
        });
    }
    /**
     * Gets a typed object from an endpoint
     * Be aware that not found returns a null.  Other errors (4xx, 5xx) reject the promise
     */
    getJson(requestUrl_1) {
        return __awaiter(this, arguments, void 0, function* (requestUrl, additionalHeaders = {}) {
            additionalHeaders[Headers.Accept] = this._getExistingOrDefaultHeader(additionalHeaders, Headers.Accept, MediaTypes.ApplicationJson);
            const res = yield this.get(requestUrl, additionalHeaders);
            return this._processResponse(res, this.requestOptions);
        });
    }
    postJson(requestUrl_1, obj_1) {
        return __awaiter(this, arguments, void 0, function* (requestUrl, obj, additionalHeaders = {}) {
            const data = JSON.stringify(obj, null, 2);
            additionalHeaders[Headers.Accept] = this._getExistingOrDefaultHeader(additionalHeaders, Headers.Accept, MediaTypes.ApplicationJson);
            additionalHeaders[Headers.ContentType] =
                this._getExistingOrDefaultContentTypeHeader(additionalHeaders, MediaTypes.ApplicationJson);
            const res = yield this.post(requestUrl, data, additionalHeaders);
            return this._processResponse(res, this.requestOptions);
        });
    }
    putJson(requestUrl_1, obj_1) {
        return __awaiter(this, arguments, void 0, function* (requestUrl, obj, additionalHeaders = {}) {
            const data = JSON.stringify(obj, null, 2);
            additionalHeaders[Headers.Accept] = this._getExistingOrDefaultHeader(additionalHeaders, Headers.Accept, MediaTypes.ApplicationJson);
            additionalHeaders[Headers.ContentType] =
                this._getExistingOrDefaultContentTypeHeader(additionalHeaders, MediaTypes.ApplicationJson);
            const res = yield this.put(requestUrl, data, additionalHeaders);
            return this._processResponse(res, this.requestOptions);
        });
    }
    patchJson(requestUrl_1, obj_1) {
        return __awaiter(this, arguments, void 0, function* (requestUrl, obj, additionalHeaders = {}) {
            const data = JSON.stringify(obj, null, 2);
            additionalHeaders[Headers.Accept] = this._getExistingOrDefaultHeader(additionalHeaders, Headers.Accept, MediaTypes.ApplicationJson);
            additionalHeaders[Headers.ContentType] =
                this._getExistingOrDefaultContentTypeHeader(additionalHeaders, MediaTypes.ApplicationJson);
            const res = yield this.patch(requestUrl, data, additionalHeaders);
            return this._processResponse(res, this.requestOptions);
        });
    }
    /**
     * Makes a raw http request.
     * All other methods such as get, post, patch, and request ultimately call this.
     * Prefer get, del, post and patch
     */
    request(verb, requestUrl, data, headers) {
        return __awaiter(this, void 0, void 0, function* () {
            if (this._disposed) {
                throw new Error('Client has already been disposed.');
            }
            const parsedUrl = new URL(requestUrl);
            let info = this._prepareRequest(verb, parsedUrl, headers);
            // Only perform retries on reads since writes may not be idempotent.
            const maxTries = this._allowRetries && RetryableHttpVerbs.includes(verb)
                ? this._maxRetries + 1
                : 1;
            let numTries = 0;
            let response;
            do {
                response = yield this.requestRaw(info, data);
                // Check if it's an authentication challenge
                if (response &&
                    response.message &&
                    response.message.statusCode === HttpCodes.Unauthorized) {
                    let authenticationHandler;
                    for (const handler of this.handlers) {
                        if (handler.canHandleAuthentication(response)) {
                            authenticationHandler = handler;
                            break;
                        }
                    }
                    if (authenticationHandler) {
                        return authenticationHandler.handleAuthentication(this, info, data);
                    }
                    else {
                        // We have received an unauthorized response but have no handlers to handle it.
                        // Let the response return to the caller.
                        return response;
                    }
                }
                let redirectsRemaining = this._maxRedirects;
                while (response.message.statusCode &&
                    HttpRedirectCodes.includes(response.message.statusCode) &&
                    this._allowRedirects &&
                    redirectsRemaining > 0) {
                    const redirectUrl = response.message.headers['location'];
                    if (!redirectUrl) {
                        // if there's no location to redirect to, we won't
                        break;
                    }
                    const parsedRedirectUrl = new URL(redirectUrl);
                    if (parsedUrl.protocol === 'https:' &&
                        parsedUrl.protocol !== parsedRedirectUrl.protocol &&
                        !this._allowRedirectDowngrade) {
                        throw new Error('Redirect from HTTPS to HTTP protocol. This downgrade is not allowed for security reasons. If you want to allow this behavior, set the allowRedirectDowngrade option to true.');
                    }
                    // we need to finish reading the response before reassigning response
                    // which will leak the open socket.
                    yield response.readBody();
                    // strip authorization header if redirected to a different hostname
                    if (parsedRedirectUrl.hostname !== parsedUrl.hostname) {
                        for (const header in headers) {
                            // header names are case insensitive
                            if (header.toLowerCase() === 'authorization') {
                                delete headers[header];
                            }
                        }
                    }
                    // let's make the request with the new redirectUrl
                    info = this._prepareRequest(verb, parsedRedirectUrl, headers);
                    response = yield this.requestRaw(info, data);
                    redirectsRemaining--;
                }
                if (!response.message.statusCode ||
                    !HttpResponseRetryCodes.includes(response.message.statusCode)) {
                    // If not a retry code, return immediately instead of retrying
                    return response;
                }
                numTries += 1;
                if (numTries < maxTries) {
                    yield response.readBody();
                    yield this._performExponentialBackoff(numTries);
                }
            } while (numTries < maxTries);
            return response;
        });
    }
    /**
     * Needs to be called if keepAlive is set to true in request options.
     */
    dispose() {
        if (this._agent) {
            this._agent.destroy();
        }
        this._disposed = true;
    }
    /**
     * Raw request.
     * @param info
     * @param data
     */
    requestRaw(info, data) {
        return __awaiter(this, void 0, void 0, function* () {
            return new Promise((resolve, reject) => {
                function callbackForResult(err, res) {
                    if (err) {
                        reject(err);
                    }
                    else if (!res) {
                        // If `err` is not passed, then `res` must be passed.
                        reject(new Error('Unknown error'));
                    }
                    else {
                        resolve(res);
                    }
                }
                this.requestRawWithCallback(info, data, callbackForResult);
            });
        });
    }
    /**
     * Raw request with callback.
     * @param info
     * @param data
     * @param onResult
     */
    requestRawWithCallback(info, data, onResult) {
        if (typeof data === 'string') {
            if (!info.options.headers) {
                info.options.headers = {};
            }
            info.options.headers['Content-Length'] = Buffer.byteLength(data, 'utf8');
        }
        let callbackCalled = false;
        function handleResult(err, res) {
            if (!callbackCalled) {
                callbackCalled = true;
                onResult(err, res);
            }
        }
        const req = info.httpModule.request(info.options, (msg) => {
            const res = new HttpClientResponse(msg);
            handleResult(undefined, res);
        });
        let socket;
        req.on('socket', sock => {
            socket = sock;
        });
        // If we ever get disconnected, we want the socket to timeout eventually
        req.setTimeout(this._socketTimeout || 3 * 60000, () => {
            if (socket) {
                socket.end();
            }
            handleResult(new Error(`Request timeout: ${info.options.path}`));
        });
        req.on('error', function (err) {
            // err has statusCode property
            // res should have headers
            handleResult(err);
        });
        if (data && typeof data === 'string') {
            req.write(data, 'utf8');
        }
        if (data && typeof data !== 'string') {
            data.on('close', function () {
                req.end();
            });
            data.pipe(req);
        }
        else {
            req.end();
        }
    }
    /**
     * Gets an http agent. This function is useful when you need an http agent that handles
     * routing through a proxy server - depending upon the url and proxy environment variables.
     * @param serverUrl  The server URL where the request will be sent. For example, https://api.github.com
     */
    getAgent(serverUrl) {
        const parsedUrl = new URL(serverUrl);
        return this._getAgent(parsedUrl);
    }
    getAgentDispatcher(serverUrl) {
        const parsedUrl = new URL(serverUrl);
        const proxyUrl = pm.getProxyUrl(parsedUrl);
        const useProxy = proxyUrl && proxyUrl.hostname;
        if (!useProxy) {
            return;
        }
        return this._getProxyAgentDispatcher(parsedUrl, proxyUrl);
    }
    _prepareRequest(method, requestUrl, headers) {
        const info = {};
        info.parsedUrl = requestUrl;
        const usingSsl = info.parsedUrl.protocol === 'https:';
        info.httpModule = usingSsl ? https : http;
        const defaultPort = usingSsl ? 443 : 80;
        info.options = {};
        info.options.host = info.parsedUrl.hostname;
        info.options.port = info.parsedUrl.port
            ? parseInt(info.parsedUrl.port)
            : defaultPort;
        info.options.path =
            (info.parsedUrl.pathname || '') + (info.parsedUrl.search || '');
        info.options.method = method;
        info.options.headers = this._mergeHeaders(headers);
        if (this.userAgent != null) {
            info.options.headers['user-agent'] = this.userAgent;
        }
        info.options.agent = this._getAgent(info.parsedUrl);
        // gives handlers an opportunity to participate
        if (this.handlers) {
            for (const handler of this.handlers) {
                handler.prepareRequest(info.options);
            }
        }
        return info;
    }
    _mergeHeaders(headers) {
        if (this.requestOptions && this.requestOptions.headers) {
            return Object.assign({}, lowercaseKeys(this.requestOptions.headers), lowercaseKeys(headers || {}));
        }
        return lowercaseKeys(headers || {});
    }
    /**
     * Gets an existing header value or returns a default.
     * Handles converting number header values to strings since HTTP headers must be strings.
     * Note: This returns string | string[] since some headers can have multiple values.
     * For headers that must always be a single string (like Content-Type), use the
     * specialized _getExistingOrDefaultContentTypeHeader method instead.
     */
    _getExistingOrDefaultHeader(additionalHeaders, header, _default) {
        let clientHeader;
        if (this.requestOptions && this.requestOptions.headers) {
            const headerValue = lowercaseKeys(this.requestOptions.headers)[header];
            if (headerValue) {
                clientHeader =
                    typeof headerValue === 'number' ? headerValue.toString() : headerValue;
            }
        }
        const additionalValue = additionalHeaders[header];
        if (additionalValue !== undefined) {
            return typeof additionalValue === 'number'
                ? additionalValue.toString()
                : additionalValue;
        }
        if (clientHeader !== undefined) {
            return clientHeader;
        }
        return _default;
    }
    /**
     * Specialized version of _getExistingOrDefaultHeader for Content-Type header.
     * Always returns a single string (not an array) since Content-Type should be a single value.
     * Converts arrays to comma-separated strings and numbers to strings to ensure type safety.
     * This was split from _getExistingOrDefaultHeader to provide stricter typing for callers
     * that assign the result to places expecting a string (e.g., additionalHeaders[Headers.ContentType]).
     */
    _getExistingOrDefaultContentTypeHeader(additionalHeaders, _default) {
        let clientHeader;
        if (this.requestOptions && this.requestOptions.headers) {
            const headerValue = lowercaseKeys(this.requestOptions.headers)[Headers.ContentType];
            if (headerValue) {
                if (typeof headerValue === 'number') {
                    clientHeader = String(headerValue);
                }
                else if (Array.isArray(headerValue)) {
                    clientHeader = headerValue.join(', ');
                }
                else {
                    clientHeader = headerValue;
                }
            }
        }
        const additionalValue = additionalHeaders[Headers.ContentType];
        // Return the first non-undefined value, converting numbers or arrays to strings if necessary
        if (additionalValue !== undefined) {
            if (typeof additionalValue === 'number') {
                return String(additionalValue);
            }
            else if (Array.isArray(additionalValue)) {
                return additionalValue.join(', ');
            }
            else {
                return additionalValue;
            }
        }
        if (clientHeader !== undefined) {
            return clientHeader;
        }
        return _default;
    }
    _getAgent(parsedUrl) {
        let agent;
        const proxyUrl = pm.getProxyUrl(parsedUrl);
        const useProxy = proxyUrl && proxyUrl.hostname;
        if (this._keepAlive && useProxy) {
            agent = this._proxyAgent;
        }
        if (!useProxy) {
            agent = this._agent;
        }
        // if agent is already assigned use that agent.
        if (agent) {
            return agent;
        }
        const usingSsl = parsedUrl.protocol === 'https:';
        let maxSockets = 100;
        if (this.requestOptions) {
            maxSockets = this.requestOptions.maxSockets || http.globalAgent.maxSockets;
        }
        // This is `useProxy` again, but we need to check `proxyURl` directly for TypeScripts's flow analysis.
        if (proxyUrl && proxyUrl.hostname) {
            const agentOptions = {
                maxSockets,
                keepAlive: this._keepAlive,
                proxy: Object.assign(Object.assign({}, ((proxyUrl.username || proxyUrl.password) && {
                    proxyAuth: `${proxyUrl.username}:${proxyUrl.password}`
                })), { host: proxyUrl.hostname, port: proxyUrl.port })
            };
            let tunnelAgent;
            const overHttps = proxyUrl.protocol === 'https:';
            if (usingSsl) {
                tunnelAgent = overHttps ? tunnel.httpsOverHttps : tunnel.httpsOverHttp;
            }
            else {
                tunnelAgent = overHttps ? tunnel.httpOverHttps : tunnel.httpOverHttp;
            }
            agent = tunnelAgent(agentOptions);
            this._proxyAgent = agent;
        }
        // if tunneling agent isn't assigned create a new agent
        if (!agent) {
            const options = { keepAlive: this._keepAlive, maxSockets };
            agent = usingSsl ? new https.Agent(options) : new http.Agent(options);
            this._agent = agent;
        }
        if (usingSsl && this._ignoreSslError) {
            // we don't want to set NODE_TLS_REJECT_UNAUTHORIZED=0 since that will affect request for entire process
            // http.RequestOptions doesn't expose a way to modify RequestOptions.agent.options
            // we have to cast it to any and change it directly
            agent.options = Object.assign(agent.options || {}, {
                rejectUnauthorized: false
            });
        }
        return agent;
    }
    _getProxyAgentDispatcher(parsedUrl, proxyUrl) {
        let proxyAgent;
        if (this._keepAlive) {
            proxyAgent = this._proxyAgentDispatcher;
        }
        // if agent is already assigned use that agent.
        if (proxyAgent) {
            return proxyAgent;
        }
        const usingSsl = parsedUrl.protocol === 'https:';
        proxyAgent = new ProxyAgent(Object.assign({ uri: proxyUrl.href, pipelining: !this._keepAlive ? 0 : 1 }, ((proxyUrl.username || proxyUrl.password) && {
            token: `Basic ${Buffer.from(`${proxyUrl.username}:${proxyUrl.password}`).toString('base64')}`
        })));
        this._proxyAgentDispatcher = proxyAgent;
        if (usingSsl && this._ignoreSslError) {
            // we don't want to set NODE_TLS_REJECT_UNAUTHORIZED=0 since that will affect request for entire process
            // http.RequestOptions doesn't expose a way to modify RequestOptions.agent.options
            // we have to cast it to any and change it directly
            proxyAgent.options = Object.assign(proxyAgent.options.requestTls || {}, {
                rejectUnauthorized: false
            });
        }
        return proxyAgent;
    }
    _getUserAgentWithOrchestrationId(userAgent) {
        const baseUserAgent = userAgent || 'actions/http-client';
        const orchId = process.env['ACTIONS_ORCHESTRATION_ID'];
        if (orchId) {
            // Sanitize the orchestration ID to ensure it contains only valid characters
            // Valid characters: 0-9, a-z, _, -, .
            const sanitizedId = orchId.replace(/[^a-z0-9_.-]/gi, '_');
            return `${baseUserAgent} actions_orchestration_id/${sanitizedId}`;
        }
        return baseUserAgent;
    }
    _performExponentialBackoff(retryNumber) {
        return __awaiter(this, void 0, void 0, function* () {
            retryNumber = Math.min(ExponentialBackoffCeiling, retryNumber);
            const ms = ExponentialBackoffTimeSlice * Math.pow(2, retryNumber);
            return new Promise(resolve => setTimeout(() => resolve(), ms));
        });
    }
    _processResponse(res, options) {
        return __awaiter(this, void 0, void 0, function* () {
            return new Promise((resolve, reject) => __awaiter(this, void 0, void 0, function* () {
                const statusCode = res.message.statusCode || 0;
                const response = {
                    statusCode,
                    result: null,
                    headers: {}
                };
                // not found leads to null obj returned
                if (statusCode === HttpCodes.NotFound) {
                    resolve(response);
                }
                // get the result from the body
                function dateTimeDeserializer(key, value) {
                    if (typeof value === 'string') {
                        const a = new Date(value);
                        if (!isNaN(a.valueOf())) {
                            return a;
                        }
                    }
                    return value;
                }
                let obj;
                let contents;
                try {
                    contents = yield res.readBody();
                    if (contents && contents.length > 0) {
                        if (options && options.deserializeDates) {
                            obj = JSON.parse(contents, dateTimeDeserializer);
                        }
                        else {
                            obj = JSON.parse(contents);
                        }
                        response.result = obj;
                    }
                    response.headers = res.message.headers;
                }
                catch (err) {
                    // Invalid resource (contents not json);  leaving result obj null
                }
                // note that 3xx redirects are handled by the http layer.
                if (statusCode > 299) {
                    let msg;
                    // if exception/error in body, attempt to get better error
                    if (obj && obj.message) {
                        msg = obj.message;
                    }
                    else if (contents && contents.length > 0) {
                        // it may be the case that the exception is in the body message as string
                        msg = contents;
                    }
                    else {
                        msg = `Failed request: (${statusCode})`;
                    }
                    const err = new HttpClientError(msg, statusCode);
                    err.result = response.result;
                    reject(err);
                }
                else {
                    resolve(response);
                }
            }));
        });
    }
}
const lowercaseKeys = (obj) => Object.keys(obj).reduce((c, k) => ((c[k.toLowerCase()] = obj[k]), c), {});
//# sourceMappingURL=index.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/http-client/lib/auth.js
var auth_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};
class BasicCredentialHandler {
    constructor(username, password) {
        this.username = username;
        this.password = password;
    }
    prepareRequest(options) {
        if (!options.headers) {
            throw Error('The request has no headers');
        }
        options.headers['Authorization'] = `Basic ${Buffer.from(`${this.username}:${this.password}`).toString('base64')}`;
    }
    // This handler cannot handle 401
    canHandleAuthentication() {
        return false;
    }
    handleAuthentication() {
        return auth_awaiter(this, void 0, void 0, function* () {
            throw new Error('not implemented');
        });
    }
}
class auth_BearerCredentialHandler {
    constructor(token) {
        this.token = token;
    }
    // currently implements pre-authorization
    // TODO: support preAuth = false where it hooks on 401
    prepareRequest(options) {
        if (!options.headers) {
            throw Error('The request has no headers');
        }
        options.headers['Authorization'] = `Bearer ${this.token}`;
    }
    // This handler cannot handle 401
    canHandleAuthentication() {
        return false;
    }
    handleAuthentication() {
        return auth_awaiter(this, void 0, void 0, function* () {
            throw new Error('not implemented');
        });
    }
}
class PersonalAccessTokenCredentialHandler {
    constructor(token) {
        this.token = token;
    }
    // currently implements pre-authorization
    // TODO: support preAuth = false where it hooks on 401
    prepareRequest(options) {
        if (!options.headers) {
            throw Error('The request has no headers');
        }
        options.headers['Authorization'] = `Basic ${Buffer.from(`PAT:${this.token}`).toString('base64')}`;
    }
    // This handler cannot handle 401
    canHandleAuthentication() {
        return false;
    }
    handleAuthentication() {
        return auth_awaiter(this, void 0, void 0, function* () {
            throw new Error('not implemented');
        });
    }
}
//# sourceMappingURL=auth.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/oidc-utils.js
var oidc_utils_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};



class oidc_utils_OidcClient {
    static createHttpClient(allowRetry = true, maxRetry = 10) {
        const requestOptions = {
            allowRetries: allowRetry,
            maxRetries: maxRetry
        };
        return new HttpClient('actions/oidc-client', [new BearerCredentialHandler(oidc_utils_OidcClient.getRequestToken())], requestOptions);
    }
    static getRequestToken() {
        const token = process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'];
        if (!token) {
            throw new Error('Unable to get ACTIONS_ID_TOKEN_REQUEST_TOKEN env variable');
        }
        return token;
    }
    static getIDTokenUrl() {
        const runtimeUrl = process.env['ACTIONS_ID_TOKEN_REQUEST_URL'];
        if (!runtimeUrl) {
            throw new Error('Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable');
        }
        return runtimeUrl;
    }
    static getCall(id_token_url) {
        return oidc_utils_awaiter(this, void 0, void 0, function* () {
            var _a;
            const httpclient = oidc_utils_OidcClient.createHttpClient();
            const res = yield httpclient
                .getJson(id_token_url)
                .catch(error => {
                throw new Error(`Failed to get ID Token. \n 
        Error Code : ${error.statusCode}\n 
        Error Message: ${error.message}`);
            });
            const id_token = (_a = res.result) === null || _a === void 0 ? void 0 : _a.value;
            if (!id_token) {
                throw new Error('Response json body do not have ID Token field');
            }
            return id_token;
        });
    }
    static getIDToken(audience) {
        return oidc_utils_awaiter(this, void 0, void 0, function* () {
            try {
                // New ID Token is requested from action service
                let id_token_url = oidc_utils_OidcClient.getIDTokenUrl();
                if (audience) {
                    const encodedAudience = encodeURIComponent(audience);
                    id_token_url = `${id_token_url}&audience=${encodedAudience}`;
                }
                debug(`ID token url is ${id_token_url}`);
                const id_token = yield oidc_utils_OidcClient.getCall(id_token_url);
                setSecret(id_token);
                return id_token;
            }
            catch (error) {
                throw new Error(`Error message: ${error.message}`);
            }
        });
    }
}
//# sourceMappingURL=oidc-utils.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/summary.js
var summary_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};


const { access, appendFile, writeFile } = external_fs_.promises;
const SUMMARY_ENV_VAR = 'GITHUB_STEP_SUMMARY';
const SUMMARY_DOCS_URL = 'https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions#adding-a-job-summary';
class Summary {
    constructor() {
        this._buffer = '';
    }
    /**
     * Finds the summary file path from the environment, rejects if env var is not found or file does not exist
     * Also checks r/w permissions.
     *
     * @returns step summary file path
     */
    filePath() {
        return summary_awaiter(this, void 0, void 0, function* () {
            if (this._filePath) {
                return this._filePath;
            }
            const pathFromEnv = process.env[SUMMARY_ENV_VAR];
            if (!pathFromEnv) {
                throw new Error(`Unable to find environment variable for $${SUMMARY_ENV_VAR}. Check if your runtime environment supports job summaries.`);
            }
            try {
                yield access(pathFromEnv, external_fs_.constants.R_OK | external_fs_.constants.W_OK);
            }
            catch (_a) {
                throw new Error(`Unable to access summary file: '${pathFromEnv}'. Check if the file has correct read/write permissions.`);
            }
            this._filePath = pathFromEnv;
            return this._filePath;
        });
    }
    /**
     * Wraps content in an HTML tag, adding any HTML attributes
     *
     * @param {string} tag HTML tag to wrap
     * @param {string | null} content content within the tag
     * @param {[attribute: string]: string} attrs key-value list of HTML attributes to add
     *
     * @returns {string} content wrapped in HTML element
     */
    wrap(tag, content, attrs = {}) {
        const htmlAttrs = Object.entries(attrs)
            .map(([key, value]) => ` ${key}="${value}"`)
            .join('');
        if (!content) {
            return `<${tag}${htmlAttrs}>`;
        }
        return `<${tag}${htmlAttrs}>${content}</${tag}>`;
    }
    /**
     * Writes text in the buffer to the summary buffer file and empties buffer. Will append by default.
     *
     * @param {SummaryWriteOptions} [options] (optional) options for write operation
     *
     * @returns {Promise<Summary>} summary instance
     */
    write(options) {
        return summary_awaiter(this, void 0, void 0, function* () {
            const overwrite = !!(options === null || options === void 0 ? void 0 : options.overwrite);
            const filePath = yield this.filePath();
            const writeFunc = overwrite ? writeFile : appendFile;
            yield writeFunc(filePath, this._buffer, { encoding: 'utf8' });
            return this.emptyBuffer();
        });
    }
    /**
     * Clears the summary buffer and wipes the summary file
     *
     * @returns {Summary} summary instance
     */
    clear() {
        return summary_awaiter(this, void 0, void 0, function* () {
            return this.emptyBuffer().write({ overwrite: true });
        });
    }
    /**
     * Returns the current summary buffer as a string
     *
     * @returns {string} string of summary buffer
     */
    stringify() {
        return this._buffer;
    }
    /**
     * If the summary buffer is empty
     *
     * @returns {boolen} true if the buffer is empty
     */
    isEmptyBuffer() {
        return this._buffer.length === 0;
    }
    /**
     * Resets the summary buffer without writing to summary file
     *
     * @returns {Summary} summary instance
     */
    emptyBuffer() {
        this._buffer = '';
        return this;
    }
    /**
     * Adds raw text to the summary buffer
     *
     * @param {string} text content to add
     * @param {boolean} [addEOL=false] (optional) append an EOL to the raw text (default: false)
     *
     * @returns {Summary} summary instance
     */
    addRaw(text, addEOL = false) {
        this._buffer += text;
        return addEOL ? this.addEOL() : this;
    }
    /**
     * Adds the operating system-specific end-of-line marker to the buffer
     *
     * @returns {Summary} summary instance
     */
    addEOL() {
        return this.addRaw(external_os_.EOL);
    }
    /**
     * Adds an HTML codeblock to the summary buffer
     *
     * @param {string} code content to render within fenced code block
     * @param {string} lang (optional) language to syntax highlight code
     *
     * @returns {Summary} summary instance
     */
    addCodeBlock(code, lang) {
        const attrs = Object.assign({}, (lang && { lang }));
        const element = this.wrap('pre', this.wrap('code', code), attrs);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML list to the summary buffer
     *
     * @param {string[]} items list of items to render
     * @param {boolean} [ordered=false] (optional) if the rendered list should be ordered or not (default: false)
     *
     * @returns {Summary} summary instance
     */
    addList(items, ordered = false) {
        const tag = ordered ? 'ol' : 'ul';
        const listItems = items.map(item => this.wrap('li', item)).join('');
        const element = this.wrap(tag, listItems);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML table to the summary buffer
     *
     * @param {SummaryTableCell[]} rows table rows
     *
     * @returns {Summary} summary instance
     */
    addTable(rows) {
        const tableBody = rows
            .map(row => {
            const cells = row
                .map(cell => {
                if (typeof cell === 'string') {
                    return this.wrap('td', cell);
                }
                const { header, data, colspan, rowspan } = cell;
                const tag = header ? 'th' : 'td';
                const attrs = Object.assign(Object.assign({}, (colspan && { colspan })), (rowspan && { rowspan }));
                return this.wrap(tag, data, attrs);
            })
                .join('');
            return this.wrap('tr', cells);
        })
            .join('');
        const element = this.wrap('table', tableBody);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds a collapsable HTML details element to the summary buffer
     *
     * @param {string} label text for the closed state
     * @param {string} content collapsable content
     *
     * @returns {Summary} summary instance
     */
    addDetails(label, content) {
        const element = this.wrap('details', this.wrap('summary', label) + content);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML image tag to the summary buffer
     *
     * @param {string} src path to the image you to embed
     * @param {string} alt text description of the image
     * @param {SummaryImageOptions} options (optional) addition image attributes
     *
     * @returns {Summary} summary instance
     */
    addImage(src, alt, options) {
        const { width, height } = options || {};
        const attrs = Object.assign(Object.assign({}, (width && { width })), (height && { height }));
        const element = this.wrap('img', null, Object.assign({ src, alt }, attrs));
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML section heading element
     *
     * @param {string} text heading text
     * @param {number | string} [level=1] (optional) the heading level, default: 1
     *
     * @returns {Summary} summary instance
     */
    addHeading(text, level) {
        const tag = `h${level}`;
        const allowedTag = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].includes(tag)
            ? tag
            : 'h1';
        const element = this.wrap(allowedTag, text);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML thematic break (<hr>) to the summary buffer
     *
     * @returns {Summary} summary instance
     */
    addSeparator() {
        const element = this.wrap('hr', null);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML line break (<br>) to the summary buffer
     *
     * @returns {Summary} summary instance
     */
    addBreak() {
        const element = this.wrap('br', null);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML blockquote to the summary buffer
     *
     * @param {string} text quote text
     * @param {string} cite (optional) citation url
     *
     * @returns {Summary} summary instance
     */
    addQuote(text, cite) {
        const attrs = Object.assign({}, (cite && { cite }));
        const element = this.wrap('blockquote', text, attrs);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML anchor tag to the summary buffer
     *
     * @param {string} text link text/content
     * @param {string} href hyperlink
     *
     * @returns {Summary} summary instance
     */
    addLink(text, href) {
        const element = this.wrap('a', text, { href });
        return this.addRaw(element).addEOL();
    }
}
const _summary = new Summary();
/**
 * @deprecated use `core.summary`
 */
const markdownSummary = (/* unused pure expression or super */ null && (_summary));
const summary = _summary;
//# sourceMappingURL=summary.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/path-utils.js

/**
 * toPosixPath converts the given path to the posix form. On Windows, \\ will be
 * replaced with /.
 *
 * @param pth. Path to transform.
 * @return string Posix path.
 */
function toPosixPath(pth) {
    return pth.replace(/[\\]/g, '/');
}
/**
 * toWin32Path converts the given path to the win32 form. On Linux, / will be
 * replaced with \\.
 *
 * @param pth. Path to transform.
 * @return string Win32 path.
 */
function toWin32Path(pth) {
    return pth.replace(/[/]/g, '\\');
}
/**
 * toPlatformPath converts the given path to a platform-specific path. It does
 * this by replacing instances of / and \ with the platform-specific path
 * separator.
 *
 * @param pth The path to platformize.
 * @return string The platform-specific path.
 */
function toPlatformPath(pth) {
    return pth.replace(/[/\\]/g, path.sep);
}
//# sourceMappingURL=path-utils.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/platform.js
var platform_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};


const getWindowsInfo = () => platform_awaiter(void 0, void 0, void 0, function* () {
    const { stdout: version } = yield exec.getExecOutput('powershell -command "(Get-CimInstance -ClassName Win32_OperatingSystem).Version"', undefined, {
        silent: true
    });
    const { stdout: name } = yield exec.getExecOutput('powershell -command "(Get-CimInstance -ClassName Win32_OperatingSystem).Caption"', undefined, {
        silent: true
    });
    return {
        name: name.trim(),
        version: version.trim()
    };
});
const getMacOsInfo = () => platform_awaiter(void 0, void 0, void 0, function* () {
    var _a, _b, _c, _d;
    const { stdout } = yield exec.getExecOutput('sw_vers', undefined, {
        silent: true
    });
    const version = (_b = (_a = stdout.match(/ProductVersion:\s*(.+)/)) === null || _a === void 0 ? void 0 : _a[1]) !== null && _b !== void 0 ? _b : '';
    const name = (_d = (_c = stdout.match(/ProductName:\s*(.+)/)) === null || _c === void 0 ? void 0 : _c[1]) !== null && _d !== void 0 ? _d : '';
    return {
        name,
        version
    };
});
const getLinuxInfo = () => platform_awaiter(void 0, void 0, void 0, function* () {
    const { stdout } = yield exec.getExecOutput('lsb_release', ['-i', '-r', '-s'], {
        silent: true
    });
    const [name, version] = stdout.trim().split('\n');
    return {
        name,
        version
    };
});
const platform = external_os_.platform();
const arch = external_os_.arch();
const isWindows = platform === 'win32';
const isMacOS = platform === 'darwin';
const isLinux = platform === 'linux';
function getDetails() {
    return platform_awaiter(this, void 0, void 0, function* () {
        return Object.assign(Object.assign({}, (yield (isWindows
            ? getWindowsInfo()
            : isMacOS
                ? getMacOsInfo()
                : getLinuxInfo()))), { platform,
            arch,
            isWindows,
            isMacOS,
            isLinux });
    });
}
//# sourceMappingURL=platform.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/core.js
var core_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};






/**
 * The code to exit an action
 */
var ExitCode;
(function (ExitCode) {
    /**
     * A code indicating that the action was successful
     */
    ExitCode[ExitCode["Success"] = 0] = "Success";
    /**
     * A code indicating that the action was a failure
     */
    ExitCode[ExitCode["Failure"] = 1] = "Failure";
})(ExitCode || (ExitCode = {}));
//-----------------------------------------------------------------------
// Variables
//-----------------------------------------------------------------------
/**
 * Sets env variable for this action and future actions in the job
 * @param name the name of the variable to set
 * @param val the value of the variable. Non-string values will be converted to a string via JSON.stringify
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function exportVariable(name, val) {
    const convertedVal = toCommandValue(val);
    process.env[name] = convertedVal;
    const filePath = process.env['GITHUB_ENV'] || '';
    if (filePath) {
        return issueFileCommand('ENV', prepareKeyValueMessage(name, val));
    }
    issueCommand('set-env', { name }, convertedVal);
}
/**
 * Registers a secret which will get masked from logs
 *
 * @param secret - Value of the secret to be masked
 * @remarks
 * This function instructs the Actions runner to mask the specified value in any
 * logs produced during the workflow run. Once registered, the secret value will
 * be replaced with asterisks (***) whenever it appears in console output, logs,
 * or error messages.
 *
 * This is useful for protecting sensitive information such as:
 * - API keys
 * - Access tokens
 * - Authentication credentials
 * - URL parameters containing signatures (SAS tokens)
 *
 * Note that masking only affects future logs; any previous appearances of the
 * secret in logs before calling this function will remain unmasked.
 *
 * @example
 * ```typescript
 * // Register an API token as a secret
 * const apiToken = "abc123xyz456";
 * setSecret(apiToken);
 *
 * // Now any logs containing this value will show *** instead
 * console.log(`Using token: ${apiToken}`); // Outputs: "Using token: ***"
 * ```
 */
function core_setSecret(secret) {
    command_issueCommand('add-mask', {}, secret);
}
/**
 * Prepends inputPath to the PATH (for this action and future actions)
 * @param inputPath
 */
function addPath(inputPath) {
    const filePath = process.env['GITHUB_PATH'] || '';
    if (filePath) {
        issueFileCommand('PATH', inputPath);
    }
    else {
        issueCommand('add-path', {}, inputPath);
    }
    process.env['PATH'] = `${inputPath}${path.delimiter}${process.env['PATH']}`;
}
/**
 * Gets the value of an input.
 * Unless trimWhitespace is set to false in InputOptions, the value is also trimmed.
 * Returns an empty string if the value is not defined.
 *
 * @param     name     name of the input to get
 * @param     options  optional. See InputOptions.
 * @returns   string
 */
function getInput(name, options) {
    const val = process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || '';
    if (options && options.required && !val) {
        throw new Error(`Input required and not supplied: ${name}`);
    }
    if (options && options.trimWhitespace === false) {
        return val;
    }
    return val.trim();
}
/**
 * Gets the values of an multiline input.  Each value is also trimmed.
 *
 * @param     name     name of the input to get
 * @param     options  optional. See InputOptions.
 * @returns   string[]
 *
 */
function getMultilineInput(name, options) {
    const inputs = getInput(name, options)
        .split('\n')
        .filter(x => x !== '');
    if (options && options.trimWhitespace === false) {
        return inputs;
    }
    return inputs.map(input => input.trim());
}
/**
 * Gets the input value of the boolean type in the YAML 1.2 "core schema" specification.
 * Support boolean input list: `true | True | TRUE | false | False | FALSE` .
 * The return value is also in boolean type.
 * ref: https://yaml.org/spec/1.2/spec.html#id2804923
 *
 * @param     name     name of the input to get
 * @param     options  optional. See InputOptions.
 * @returns   boolean
 */
function getBooleanInput(name, options) {
    const trueValue = ['true', 'True', 'TRUE'];
    const falseValue = ['false', 'False', 'FALSE'];
    const val = getInput(name, options);
    if (trueValue.includes(val))
        return true;
    if (falseValue.includes(val))
        return false;
    throw new TypeError(`Input does not meet YAML 1.2 "Core Schema" specification: ${name}\n` +
        `Support boolean input list: \`true | True | TRUE | false | False | FALSE\``);
}
/**
 * Sets the value of an output.
 *
 * @param     name     name of the output to set
 * @param     value    value to store. Non-string values will be converted to a string via JSON.stringify
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function setOutput(name, value) {
    const filePath = process.env['GITHUB_OUTPUT'] || '';
    if (filePath) {
        return file_command_issueFileCommand('OUTPUT', file_command_prepareKeyValueMessage(name, value));
    }
    process.stdout.write(external_os_.EOL);
    command_issueCommand('set-output', { name }, utils_toCommandValue(value));
}
/**
 * Enables or disables the echoing of commands into stdout for the rest of the step.
 * Echoing is disabled by default if ACTIONS_STEP_DEBUG is not set.
 *
 */
function setCommandEcho(enabled) {
    issue('echo', enabled ? 'on' : 'off');
}
//-----------------------------------------------------------------------
// Results
//-----------------------------------------------------------------------
/**
 * Sets the action status to failed.
 * When the action exits it will be with an exit code of 1
 * @param message add error issue message
 */
function setFailed(message) {
    process.exitCode = ExitCode.Failure;
    error(message);
}
//-----------------------------------------------------------------------
// Logging Commands
//-----------------------------------------------------------------------
/**
 * Gets whether Actions Step Debug is on or not
 */
function isDebug() {
    return process.env['RUNNER_DEBUG'] === '1';
}
/**
 * Writes debug message to user log
 * @param message debug message
 */
function core_debug(message) {
    command_issueCommand('debug', {}, message);
}
/**
 * Adds an error issue
 * @param message error issue message. Errors will be converted to string via toString()
 * @param properties optional properties to add to the annotation.
 */
function error(message, properties = {}) {
    command_issueCommand('error', utils_toCommandProperties(properties), message instanceof Error ? message.toString() : message);
}
/**
 * Adds a warning issue
 * @param message warning issue message. Errors will be converted to string via toString()
 * @param properties optional properties to add to the annotation.
 */
function warning(message, properties = {}) {
    command_issueCommand('warning', utils_toCommandProperties(properties), message instanceof Error ? message.toString() : message);
}
/**
 * Adds a notice issue
 * @param message notice issue message. Errors will be converted to string via toString()
 * @param properties optional properties to add to the annotation.
 */
function notice(message, properties = {}) {
    issueCommand('notice', toCommandProperties(properties), message instanceof Error ? message.toString() : message);
}
/**
 * Writes info to log with console.log.
 * @param message info message
 */
function info(message) {
    process.stdout.write(message + external_os_.EOL);
}
/**
 * Begin an output group.
 *
 * Output until the next `groupEnd` will be foldable in this group
 *
 * @param name The name of the output group
 */
function startGroup(name) {
    issue('group', name);
}
/**
 * End an output group.
 */
function endGroup() {
    issue('endgroup');
}
/**
 * Wrap an asynchronous function call in a group.
 *
 * Returns the same type as the function itself.
 *
 * @param name The name of the group
 * @param fn The function to wrap in the group
 */
function group(name, fn) {
    return core_awaiter(this, void 0, void 0, function* () {
        startGroup(name);
        let result;
        try {
            result = yield fn();
        }
        finally {
            endGroup();
        }
        return result;
    });
}
//-----------------------------------------------------------------------
// Wrapper action state
//-----------------------------------------------------------------------
/**
 * Saves state for current action, the state can only be retrieved by this action's post job execution.
 *
 * @param     name     name of the state to store
 * @param     value    value to store. Non-string values will be converted to a string via JSON.stringify
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function saveState(name, value) {
    const filePath = process.env['GITHUB_STATE'] || '';
    if (filePath) {
        return issueFileCommand('STATE', prepareKeyValueMessage(name, value));
    }
    issueCommand('save-state', { name }, toCommandValue(value));
}
/**
 * Gets the value of an state set by this action's main execution.
 *
 * @param     name     name of the state to get
 * @returns   string
 */
function getState(name) {
    return process.env[`STATE_${name}`] || '';
}
function getIDToken(aud) {
    return core_awaiter(this, void 0, void 0, function* () {
        return yield OidcClient.getIDToken(aud);
    });
}
/**
 * Summary exports
 */

/**
 * @deprecated use core.summary
 */

/**
 * Path exports
 */

/**
 * Platform utilities exports
 */

//# sourceMappingURL=core.js.map
// EXTERNAL MODULE: ./src/cancel.ts
var src_cancel = __nccwpck_require__(833);
;// CONCATENATED MODULE: external "node:crypto"
const external_node_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");
;// CONCATENATED MODULE: ./src/issues/link.ts
/**
 * The build as a remote link on the issue: which link it is (its globalId, stable per workflow
 * or job, so the next run updates it instead of adding one) and its icons. Pure: the edge says
 * which CI this is and where.
 */

/** Jira takes a globalId of at most 255 characters. */
const MAX_GLOBAL_ID = 255;
const PREFIX = 'jira-build-result:';
/** The globalId of a pipeline's link: its scope as written, or a hash of it when too long. */
function globalIdOf(scope) {
    const id = `${PREFIX}${scope}`;
    return id.length <= MAX_GLOBAL_ID ? id : `${PREFIX}sha256:${(0,external_node_crypto_namespaceObject.createHash)('sha256').update(scope).digest('hex')}`;
}
/** The CI of a GitHub Actions run: one link per repository and workflow (its file when known). */
function githubRun(env) {
    const server = env.GITHUB_SERVER_URL || 'https://github.com';
    const repository = env.GITHUB_REPOSITORY;
    // GITHUB_WORKFLOW_REF is owner/repo/.github/workflows/ci.yml@refs/heads/main: the file stays
    // when the workflow is renamed, and the ref is not part of which pipeline this is.
    const workflowFile = env.GITHUB_WORKFLOW_REF?.replace(/@.*$/, '').split('/').slice(2).join('/');
    const workflow = workflowFile || env.GITHUB_WORKFLOW;
    const assets = 'https://github.githubassets.com/favicons';
    return {
        name: 'GitHub Actions',
        scope: repository && workflow ? `${server}/${repository}/${workflow}` : undefined,
        icon: `${assets}/favicon.png`,
        statusIcons: { success: `${assets}/favicon-success.png`, failure: `${assets}/favicon-failure.png`, cancelled: `${assets}/favicon-pending.png` }
    };
}
/** The CI of a Jenkins build: one link per job (JOB_URL, or the job's name under JENKINS_URL). */
function jenkinsRun(env) {
    const root = env.JENKINS_URL?.replace(/\/?$/, '/');
    const scope = env.JOB_URL || (env.JOB_NAME ? `${root ?? 'jenkins:'}job/${env.JOB_NAME}` : undefined);
    const image = (name) => (root ? `${root}images/16x16/${name}.png` : undefined);
    return {
        name: 'Jenkins',
        scope,
        icon: root ? `${root}favicon.ico` : undefined,
        statusIcons: { success: image('blue'), failure: image('red'), unstable: image('yellow'), cancelled: image('aborted') }
    };
}

;// CONCATENATED MODULE: ./src/jira/errors.ts
/** Headline for each kind, used as the annotation title. */
const FAILURE_TITLES = {
    captcha: 'Jira CAPTCHA lockout',
    unauthorized: 'Jira refused the credentials',
    forbidden: 'Jira forbade the request',
    'not-found': 'Jira issue not found',
    invalid: 'Jira rejected the value',
    error: 'Jira request failed',
    network: 'Jira could not be reached',
    'wrong-url': 'jira-url is not Jira'
};
/** Kinds after which every further request would fail the same way, or deepen a lockout. */
const HALTING_KINDS = new Set(['captcha', 'unauthorized', 'wrong-url']);
/**
 * A failure a user can act on: its kind, what happened and the remedy. The message never
 * carries a secret.
 */
class JiraError extends Error {
    kind;
    reason;
    remedy;
    details;
    constructor(kind, reason, remedy, details = {}) {
        super(remedy ? `${reason} ${remedy}` : reason);
        this.kind = kind;
        this.reason = reason;
        this.remedy = remedy;
        this.name = 'JiraError';
        this.details = details;
    }
    get issueKey() {
        return this.details.issueKey;
    }
    /** The same failure, said of one issue. */
    forIssue(issueKey) {
        return new JiraError(this.kind, this.reason, this.remedy, { ...this.details, issueKey });
    }
}
/** Thrown instead of sending a request once the run was stopped: a halt or a cancel. */
class Stopped extends Error {
    why;
    mayHaveArrived;
    constructor(why, 
    /** The request was in flight and must not arrive twice: Jira may have done it. */
    mayHaveArrived = false) {
        super('stopped before the request was sent');
        this.why = why;
        this.mayHaveArrived = mayHaveArrived;
        this.name = 'Stopped';
    }
}
/** The one place that turns anything thrown into a line of text, non-Error throws included. */
function messageOf(thrown) {
    if (thrown instanceof Error)
        return thrown.message;
    if (typeof thrown === 'string')
        return thrown;
    try {
        return JSON.stringify(thrown) ?? String(thrown);
    }
    catch {
        return String(thrown);
    }
}
/** The error code Node or a library put on a thrown value (ECONNRESET, ENOENT, …), if any. */
function codeOf(thrown) {
    if (typeof thrown !== 'object' || thrown === null || !('code' in thrown))
        return undefined;
    const { code } = thrown;
    return typeof code === 'string' || typeof code === 'number' ? String(code) : undefined;
}
/** Wraps anything thrown into a JiraError without dropping non-Error throws. */
function asJiraError(thrown, issueKey) {
    if (thrown instanceof JiraError)
        return issueKey && !thrown.issueKey ? thrown.forIssue(issueKey) : thrown;
    return new JiraError('error', `Unexpected failure: ${messageOf(thrown)}`, '', { issueKey });
}

// EXTERNAL MODULE: ./node_modules/oauth-1.0a/oauth-1.0a.js
var oauth_1_0a = __nccwpck_require__(470);
var oauth_1_0a_default = /*#__PURE__*/__nccwpck_require__.n(oauth_1_0a);
;// CONCATENATED MODULE: ./src/oauth/sign.ts


/**
 * This machine's OpenSSL would not sign with RSA-SHA1: RHEL 9's DEFAULT crypto policy (and its
 * derivatives') forbids SHA-1 signatures, and a Node.js built against the system OpenSSL obeys
 * it. Jira's OAuth 1.0a accepts nothing else (signature_method_rejected).
 */
class Sha1Refused extends Error {
    opensslMessage;
    constructor(opensslMessage) {
        super(`this machine's OpenSSL refused to sign with RSA-SHA1 (${opensslMessage})`);
        this.opensslMessage = opensslMessage;
        this.name = 'Sha1Refused';
    }
}
const systemSources = {
    clock: () => Math.floor(Date.now() / 1000),
    nonce: () => (0,external_node_crypto_namespaceObject.randomBytes)(16).toString('hex')
};
/**
 * Signs a request with OAuth 1.0a RSA-SHA1 (RFC 5849 §3.4.3) and returns the Authorization
 * header and the signature base string it covers. The same inputs always give the same
 * signature.
 *
 * oauth-1.0a (2.2.6) supplies the protocol parameters, the base string's frame and the header;
 * its parameter handling is replaced, here and only here, for these reasons:
 * - it reads the query itself, but splits a value at a second "=", leaves "+" encoded and keeps
 *   the URL's case and default port: so it gets the normalised base URI alone;
 * - it signs `request.data` whatever the Content-Type: so a JSON body never reaches it;
 * - it merges request parameters into its protocol parameters, so a query parameter named
 *   oauth_* would go into the header too and be signed twice;
 * - it collects parameters on plain objects, where one named `__proto__` vanishes.
 * So the normalised parameter string (§3.4.1.3.2) is built here from a list of pairs, and the
 * header carries the protocol parameters alone.
 */
function signRequest(request, credentials, sources = systemSources) {
    const oauth = new (oauth_1_0a_default())({
        consumer: { key: credentials.consumerKey, secret: '' },
        signature_method: 'RSA-SHA1',
        hash_function: baseString => {
            try {
                return (sources.rsaSha1 ?? rsaSha1)(baseString, credentials.privateKey);
            }
            catch (thrown) {
                // OpenSSL's own words (error:…:digital envelope routines::invalid digest and the like)
                // carry no key material; they are kept for the message, cut short.
                const said = thrown instanceof Error ? thrown.message : String(thrown);
                throw new Sha1Refused(said.replace(/\s+/g, ' ').slice(0, 160));
            }
        }
    });
    oauth.getNonce = sources.nonce;
    oauth.getTimeStamp = sources.clock;
    const { baseUri, params } = splitUrl(request.url);
    for (const [name, value] of Object.entries(request.form ?? {}))
        params.push([name, value]);
    const extraProtocol = Object.entries(request.oauthParams ?? {});
    oauth.getParameterString = (_request, protocol) => normalizeParameters(
    // §3.4.1.3.1: a parameter named oauth_signature is left out, wherever it comes from.
    [...params, ...extraProtocol, ...Object.entries(protocol).map(([name, value]) => [name, String(value)])].filter(([name]) => name !== 'oauth_signature'));
    let baseString = '';
    const frame = oauth.getBaseString.bind(oauth);
    oauth.getBaseString = (req, data) => (baseString = frame(req, data));
    const token = credentials.token === undefined ? undefined : { key: credentials.token, secret: '' };
    const authorized = oauth.authorize({ method: request.method, url: baseUri, data: {} }, token);
    const oauthParams = Object.fromEntries(extraProtocol);
    for (const [name, value] of Object.entries(authorized)) {
        if (name.startsWith('oauth_') && value !== undefined)
            oauthParams[name] = String(value);
    }
    const authorization = oauth.toHeader(oauthParams).Authorization;
    return { authorization, baseString, oauthParams };
}
/** RSASSA-PKCS1-v1_5 over SHA-1 of the UTF-8 base string, base64, with node:crypto. */
function rsaSha1(baseString, privateKey) {
    return (0,external_node_crypto_namespaceObject.sign)('sha1', Buffer.from(baseString, 'utf8'), privateKey).toString('base64');
}
/** RFC 3986 percent-encoding, as OAuth 1.0a requires (§3.6): only unreserved characters stay. */
function oauthEncode(text) {
    return encodeURIComponent(text).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
/** §3.4.1.3.2: each name and value encoded, sorted by name then value, joined with "&". */
function normalizeParameters(pairs) {
    const encoded = pairs.map(([name, value]) => [oauthEncode(name), oauthEncode(value)]);
    encoded.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
    return encoded.map(([name, value]) => `${name}=${value}`).join('&');
}
/**
 * The base string URI of RFC 5849 §3.4.1.2 (lower-case scheme and host, no default port,
 * no query) and the query's parameters, form-decoded, in order.
 */
function splitUrl(url) {
    const parsed = new URL(url);
    const baseUri = `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
    return { baseUri, params: [...new URLSearchParams(parsed.search)] };
}

;// CONCATENATED MODULE: ./src/jira/auth.ts



/** Sends no Authorization header: endpoints that authenticate no one, such as Cloud's tenant_info. */
const ANONYMOUS = { mode: 'none', authorize: () => ({}) };
/**
 * The SHA-256 of a key's public half in DER (SubjectPublicKeyInfo), in hex: what
 * `openssl pkey -pubin -in public.pem -outform DER | sha256sum` prints for the key on the
 * application link.
 */
function publicKeyFingerprint(privateKey) {
    const der = (0,external_node_crypto_namespaceObject.createPublicKey)(privateKey).export({ type: 'spki', format: 'der' });
    return (0,external_node_crypto_namespaceObject.createHash)('sha256').update(der).digest('hex');
}
/** OAuth 1.0a RSA-SHA1: a fresh nonce and timestamp for every request, retries included. */
function oauthAuthenticator(credentials, sources = systemSources) {
    let fingerprint;
    return {
        mode: 'oauth',
        authorize: request => {
            try {
                const signed = signRequest(request, credentials, sources);
                return { header: signed.authorization, baseString: signed.baseString };
            }
            catch (thrown) {
                if (thrown instanceof Sha1Refused)
                    throw sha1RefusedError(thrown);
                throw thrown;
            }
        },
        // Worked out when asked: only a signature_invalid answer needs it.
        get fingerprint() {
            return (fingerprint ??= publicKeyFingerprint(credentials.privateKey));
        }
    };
}
/** The SHA-1 refusal said by name, with the ways out; nothing was sent. */
function sha1RefusedError(refused) {
    return new JiraError('error', `This machine's OpenSSL refused to sign with RSA-SHA1, which Jira's OAuth 1.0a requires (${refused.opensslMessage}); nothing was sent. The system crypto policy forbids SHA-1 signatures, as RHEL 9's DEFAULT policy and its derivatives' do, and this Node.js uses the system OpenSSL.`, 'Run the step with a Node.js from nodejs.org (it bundles its own OpenSSL, which the policy does not bind), allow SHA-1 on the agent (update-crypto-policies --set DEFAULT:SHA1), or authenticate without RSA-SHA1: a personal access token or a service account (client-id and client-secret).');
}
/**
 * Builds the Authenticator for a configured mode that needs nothing from the network;
 * client credentials need a token source (tokens.ts) and are built by connect().
 */
function authenticatorFor(auth, sources = systemSources) {
    switch (auth.mode) {
        case 'oauth':
            return oauthAuthenticator({ consumerKey: auth.consumerKey, privateKey: auth.privateKey, token: auth.accessToken }, sources);
        case 'pat':
            // Data Center 8.14+ personal access tokens.
            return { mode: 'pat', authorize: () => ({ header: `Bearer ${auth.personalAccessToken}` }) };
        case 'basic': {
            // Jira Cloud: the account's e-mail address and an API token.
            const header = `Basic ${basicCredentials(auth.user, auth.apiToken)}`;
            return { mode: 'basic', authorize: () => ({ header }) };
        }
    }
}
/** base64(user:api-token), the credential of basic auth; also a secret in its own right. */
function basicCredentials(user, apiToken) {
    return Buffer.from(`${user}:${apiToken}`, 'utf8').toString('base64');
}
/** Every secret of a configuration as it may travel: raw values and the basic credential. */
function authSecrets(auth) {
    switch (auth.mode) {
        case 'oauth':
            return [auth.accessToken];
        case 'pat':
            return [auth.personalAccessToken];
        case 'basic':
            return [auth.apiToken, basicCredentials(auth.user, auth.apiToken)];
        case 'client-credentials':
            // The access tokens are secrets too, each added to the redactor as it arrives (tokens.ts).
            return [auth.clientSecret];
    }
}
/** How a mode is named in messages. */
const AUTH_MODE_NAMES = {
    oauth: 'OAuth 1.0a',
    pat: 'a personal access token',
    basic: 'basic auth',
    'client-credentials': 'OAuth 2.0 client credentials (service account)'
};
/** What a debug line may say of a configuration: its mode and the parts that are not secret. */
function describeAuth(auth) {
    switch (auth.mode) {
        case 'oauth':
            return `${AUTH_MODE_NAMES.oauth} (RSA-SHA1, consumer key ${auth.consumerKey})`;
        case 'pat':
            return `${AUTH_MODE_NAMES.pat} (Authorization: Bearer)`;
        case 'basic':
            return `${AUTH_MODE_NAMES.basic} (user ${auth.user})`;
        case 'client-credentials':
            return `${AUTH_MODE_NAMES['client-credentials']} (client id ${auth.clientId}, token URL ${auth.tokenUrl})`;
    }
}

;// CONCATENATED MODULE: ./src/jira/redact.ts

/** Percent-encoding of RFC 3986 (what OAuth and Jira's base string use). */
function percentEncode(text) {
    return encodeURIComponent(text).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
/** How many consecutive characters of a secret count as the secret showing. */
const SECRET_RUN = 12;
/** Runs of token characters this long are elided from Jira's text, secret or not. */
const TOKEN_RUN = 32;
/** How much of an answer an error message quotes at most. */
const EXCERPT_CHARS = 300;
/** The most of one text the boundary reads: no display of 4 KiB can come from more. */
const MAX_INPUT_CHARS = 64 * 1024;
/** Rounds of decoding at most (each undoes one layer: %2541 → %41 → A). */
const MAX_DECODE_ROUNDS = 8;
/** What stands in for a secret. */
const REDACTED = '***';
// Every HTML5 named character reference whose value is ASCII (from the WHATWG list; letters and
// digits have none but "fjlig"; nvlt, bne and nvgt add a combining mark, dropped here), plus the
// no-break space. Secrets are ASCII (the input parser refuses others), so no other named
// reference can hide one; the rest are shown as written.
const NAMED_ENTITIES = {
    Tab: '\t',
    NewLine: '\n',
    excl: '!',
    quot: '"',
    QUOT: '"',
    num: '#',
    dollar: '$',
    percnt: '%',
    amp: '&',
    AMP: '&',
    apos: "'",
    lpar: '(',
    rpar: ')',
    ast: '*',
    midast: '*',
    plus: '+',
    comma: ',',
    period: '.',
    sol: '/',
    colon: ':',
    semi: ';',
    lt: '<',
    LT: '<',
    nvlt: '<',
    equals: '=',
    bne: '=',
    gt: '>',
    GT: '>',
    nvgt: '>',
    quest: '?',
    commat: '@',
    lsqb: '[',
    lbrack: '[',
    bsol: '\\',
    rsqb: ']',
    rbrack: ']',
    Hat: '^',
    lowbar: '_',
    UnderBar: '_',
    grave: '`',
    DiacriticalGrave: '`',
    lcub: '{',
    lbrace: '{',
    verbar: '|',
    vert: '|',
    VerticalLine: '|',
    rcub: '}',
    rbrace: '}',
    nbsp: '\u00a0',
    NonBreakingSpace: '\u00a0',
    fjlig: 'fj'
};
// Browsers also read these legacy references without the semicolon.
const LEGACY_ENTITY = /&(amp|AMP|lt|LT|gt|GT|quot|QUOT|nbsp)(?![A-Za-z0-9;])/y;
const NAMED_ENTITY = /&([A-Za-z]{2,16});/y;
const NUMERIC_ENTITY = /&#(?:[xX]([0-9A-Fa-f]{1,6})|([0-9]{1,7}));?/y;
const PERCENT_BYTE = /%([0-9A-Fa-f]{2})/y;
const BACKSLASH_ESCAPE = /\\(?:u\{([0-9A-Fa-f]{1,6})\}|u([0-9A-Fa-f]{4})|x([0-9A-Fa-f]{2})|([/\\"'nrtbf]))/y;
// ANSI escape sequences: CSI (ESC [ or U+009B … final byte), OSC (ESC ] … BEL or ST), and the
// two-character ones; a terminal would act on them, and they can split a secret.
const ANSI = /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]/y;
const SIMPLE_ESCAPES = { '/': '/', '\\': '\\', '"': '"', "'": "'", n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };
function mappedOf(text) {
    const units = text.split('');
    return { units, starts: units.map((_, i) => i), ends: units.map((_, i) => i + 1) };
}
/**
 * Undoes, repeatedly, every encoding an echo may wear: percent-encoding (either case), JSON and
 * JavaScript backslash escapes (\u0070, \x70, \/), HTML character references (named and
 * numeric); and drops ANSI escape sequences. Each decoded unit keeps its original span.
 */
function decodeMapped(text) {
    let mapped = mappedOf(text);
    for (let round = 0; round < MAX_DECODE_ROUNDS; round++) {
        const next = decodeOnce(mapped);
        if (next.units.length === mapped.units.length && next.units.every((unit, i) => unit === mapped.units[i]))
            break;
        mapped = next;
    }
    return mapped;
}
function decodeOnce(mapped) {
    const text = mapped.units.join('');
    const out = { units: [], starts: [], ends: [] };
    const push = (value, from, to) => {
        const start = mapped.starts[from];
        const end = mapped.ends[to - 1];
        for (const unit of value.split('')) {
            out.units.push(unit);
            out.starts.push(start);
            out.ends.push(end);
        }
    };
    const at = (pattern, i) => {
        pattern.lastIndex = i;
        return pattern.exec(text);
    };
    let i = 0;
    while (i < text.length) {
        const c = text[i];
        let match = null;
        if (c === '%' && (match = at(PERCENT_BYTE, i))) {
            const taken = percentSequence(text, i);
            if (taken) {
                push(taken.value, i, i + taken.length);
                i += taken.length;
                continue;
            }
        }
        else if (c === '\\' && (match = at(BACKSLASH_ESCAPE, i))) {
            const [whole, braced, u4, x2, simple] = match;
            const code = braced ?? u4 ?? x2;
            const value = code !== undefined ? codePointText(parseInt(code, 16)) : SIMPLE_ESCAPES[simple];
            if (value !== undefined) {
                push(value, i, i + whole.length);
                i += whole.length;
                continue;
            }
        }
        else if (c === '&') {
            const entity = entityAt(text, i);
            if (entity) {
                push(entity.value, i, i + entity.length);
                i += entity.length;
                continue;
            }
        }
        else if ((c === '\u001b' || c === '\u009b') && (match = at(ANSI, i))) {
            i += match[0].length;
            continue;
        }
        push(c, i, i + 1);
        i++;
    }
    return out;
}
/** An HTML character reference at `i`, decoded: numeric, named (ASCII values only) or legacy. */
function entityAt(text, i) {
    NUMERIC_ENTITY.lastIndex = i;
    const numeric = NUMERIC_ENTITY.exec(text);
    if (numeric) {
        const value = codePointText(numeric[1] !== undefined ? parseInt(numeric[1], 16) : parseInt(numeric[2], 10));
        return value === undefined ? undefined : { value, length: numeric[0].length };
    }
    for (const pattern of [NAMED_ENTITY, LEGACY_ENTITY]) {
        pattern.lastIndex = i;
        const named = pattern.exec(text);
        if (named && Object.hasOwn(NAMED_ENTITIES, named[1]))
            return { value: NAMED_ENTITIES[named[1]], length: named[0].length };
    }
    return undefined;
}
/** One UTF-8 character written as %XX bytes at `i`, decoded; undefined when the bytes are not one. */
function percentSequence(text, i) {
    const byteAt = (k) => {
        PERCENT_BYTE.lastIndex = i + 3 * k;
        const match = PERCENT_BYTE.exec(text);
        return match ? parseInt(match[1], 16) : undefined;
    };
    const lead = byteAt(0) ?? 0;
    const size = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (size === 0)
        return undefined;
    const bytes = [lead];
    for (let k = 1; k < size; k++) {
        const byte = byteAt(k);
        if (byte === undefined || byte < 0x80 || byte > 0xbf)
            return undefined;
        bytes.push(byte);
    }
    const value = Buffer.from(bytes).toString('utf8');
    return value.includes('\ufffd') ? undefined : { value, length: 3 * size };
}
function codePointText(code) {
    return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : undefined;
}
// Whitespace as JavaScript and .NET (the runner) see it, and invisible formatting characters:
// none of them may split a secret from the matcher's view.
const IGNORED = /[\s\u0085\u180e\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u0000-\u001f\u007f-\u009f]/;
/** The matcher's view: case folded, fullwidth forms folded, whitespace and controls dropped. */
function normalized(units) {
    let text = '';
    const index = [];
    for (let i = 0; i < units.length; i++) {
        const unit = units[i];
        if (IGNORED.test(unit))
            continue;
        let folded = unit.charCodeAt(0) < 0x80 ? unit.toLowerCase() : unit.normalize('NFKC').toLowerCase();
        if (folded.length !== 1)
            folded = unit;
        text += folded;
        index.push(i);
    }
    return { text, index };
}
function normalizedSecret(text) {
    return normalized(text.split('')).text;
}
function base64Forms(bytes, secretFromByte = 0) {
    const forms = [];
    // The three alignments, so the secret is found inside the base64 of a longer text too; the
    // characters that mix in a neighbour's bits are left off.
    for (let shift = 0; shift < 3; shift++) {
        const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
        const from = shift === 0 ? 0 : 4;
        const to = shift === 0 ? encoded.length : Math.max(from, encoded.length - 4);
        const body = encoded.slice(from, to);
        const secretFrom = Math.max(0, Math.floor(((secretFromByte + shift) * 8) / 6) - from);
        forms.push({ text: body, secretFrom }, { text: body.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), secretFrom });
    }
    return forms;
}
/** Every form of a secret the matcher looks for, on top of what decoding undoes. */
function formsOf(secret, prefix = '') {
    const whole = `${prefix}${secret}`;
    const forms = [{ text: whole, secretFrom: prefix.length }];
    forms.push(...base64Forms(Buffer.from(whole, 'utf8'), Buffer.byteLength(prefix)));
    if (prefix === '')
        forms.push({ text: Buffer.from(secret, 'utf8').toString('hex'), secretFrom: 0 });
    return forms;
}
// A PEM key's armour and headers are not secret, and would match ordinary words.
function secretBody(secret) {
    if (!secret.includes('-----BEGIN'))
        return secret.trim();
    return secret
        .replace(/\\n/g, '\n')
        .replace(/-----[A-Z0-9 ]+-----/g, '')
        .replace(/^[A-Za-z-]+:.*$/gm, '')
        .replace(/\s+/g, '');
}
/** Finds and removes secrets; the one boundary every text from the network passes. */
class redact_Redactor {
    windows = new Set();
    shortForms = [];
    masks = [];
    /** `secrets` are the raw values (or a SecretSet); their derived forms are found here. */
    constructor(secrets = []) {
        const set = isSecretSet(secrets) ? secrets : { secrets };
        for (const raw of set.secrets)
            this.add(raw);
        for (const { prefix, secret } of set.prefixed ?? []) {
            if (secret.trim().length < 4)
                continue;
            for (const form of formsOf(secret.trim(), prefix))
                this.addForm(form);
            // A short secret is found as user:secret whole.
            if (secret.trim().length < SECRET_RUN)
                this.addShort(normalizedSecret(`${prefix}${secret.trim()}`));
        }
    }
    /**
     * Adds a secret learnt during the run, such as an access token just issued, and returns its
     * new forms for the runner's masking.
     */
    add(raw) {
        const secret = secretBody(raw);
        if (secret.length < 4)
            return [];
        // A PEM key is never sent, so no echo can encode it: its body as it is suffices.
        if (raw.includes('-----BEGIN')) {
            this.addForm({ text: secret, secretFrom: 0 });
            return [];
        }
        for (const form of formsOf(secret))
            this.addForm(form);
        const added = maskableForms(secret).filter(form => form.length >= 4 && !this.masks.includes(form));
        this.masks.push(...new Set(added));
        // Longest first, so the runner masks a secret that contains another whole.
        this.masks.sort((a, b) => b.length - a.length);
        return [...new Set(added)];
    }
    addForm(form) {
        const text = normalizedSecret(form.text);
        if (text.length < 4)
            return;
        if (text.length < SECRET_RUN) {
            if (form.secretFrom === 0)
                this.addShort(text);
            return;
        }
        for (let i = 0; i + SECRET_RUN <= text.length; i++)
            if (i + SECRET_RUN > form.secretFrom)
                this.windows.add(text.slice(i, i + SECRET_RUN));
    }
    addShort(text) {
        if (this.shortForms.includes(text))
            return;
        this.shortForms.push(text);
        // Longest first, so a secret that contains another is replaced whole.
        this.shortForms.sort((a, b) => b.length - a.length);
    }
    /** The derived forms the runner can mask itself (it masks exact strings only), for core.setSecret. */
    get maskable() {
        return this.masks;
    }
    /**
     * The boundary for a text from the network before it goes into any message: decoded, secrets
     * and credential-shaped values replaced with ***, runs of 32 or more token characters elided,
     * ANSI sequences and line breaks gone, then cut to `max` characters. One line, not yet escaped
     * for where it goes: that is the sink's part.
     */
    excerpt(text, max = EXCERPT_CHARS) {
        const mapped = decodeMapped(text.length > MAX_INPUT_CHARS ? text.slice(0, MAX_INPUT_CHARS) : text);
        const decoded = mapped.units.join('');
        const secret = this.secretUnits(mapped.units);
        for (const [start, end] of credentialValues(decoded))
            for (let i = start; i < end; i++)
                secret[i] = true;
        const elided = tokenRuns(decoded);
        let out = '';
        for (let i = 0; i < decoded.length;) {
            if (secret[i]) {
                while (i < decoded.length && secret[i])
                    i++;
                out += REDACTED;
                continue;
            }
            const run = elided.get(i);
            if (run !== undefined) {
                out += `[${run} characters elided]`;
                i += run;
                continue;
            }
            out += decoded[i];
            i++;
        }
        return cap(out
            .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
            .replace(/[\s\u0085]+/g, ' ')
            .trim(), max);
    }
    /** excerpt() with a long cap, for texts quoted whole (Jira's base string, in debug output). */
    redact(text) {
        return this.excerpt(text, 4000);
    }
    /**
     * For the sinks: the text as written, with each secret cut out wherever a decoded view of it
     * shows one (%74ok…, &#116;ok…, toK\nEN…). Nothing else changes: the sinks' own text, such as
     * a URL, keeps its encoding.
     */
    scrub(text, marker = REDACTED) {
        if (this.windows.size === 0 && this.shortForms.length === 0)
            return text;
        const mapped = decodeMapped(text);
        const secret = this.secretUnits(mapped.units);
        const spans = [];
        for (let i = 0; i < secret.length; i++) {
            if (!secret[i])
                continue;
            const [start, end] = [mapped.starts[i], mapped.ends[i]];
            const last = spans[spans.length - 1];
            if (last && start <= last[1])
                last[1] = Math.max(last[1], end);
            else
                spans.push([start, end]);
        }
        let out = '';
        let at = 0;
        for (const [start, end] of spans) {
            out += text.slice(at, start) + marker;
            at = end;
        }
        return out + text.slice(at);
    }
    /** Which decoded units belong to a secret: any run of 12 of its characters, or a short one whole. */
    secretUnits(units) {
        const marks = new Array(units.length).fill(false);
        if (this.windows.size === 0 && this.shortForms.length === 0)
            return marks;
        const { text, index } = normalized(units);
        const mark = (from, length) => {
            for (let k = from; k < from + length; k++)
                marks[index[k]] = true;
        };
        if (this.windows.size > 0)
            for (let i = 0; i + SECRET_RUN <= text.length; i++)
                if (this.windows.has(text.slice(i, i + SECRET_RUN)))
                    mark(i, SECRET_RUN);
        for (const form of this.shortForms)
            for (let i = text.indexOf(form); i >= 0; i = text.indexOf(form, i + 1))
                mark(i, form.length);
        // Units dropped from the view (a line break inside a secret) go with the secret around them.
        let lastMarked = -1;
        for (let i = 0; i < units.length; i++) {
            if (!marks[i])
                continue;
            if (lastMarked >= 0 && i - lastMarked > 1 && units.slice(lastMarked + 1, i).every(unit => IGNORED.test(unit)))
                marks.fill(true, lastMarked + 1, i);
            lastMarked = i;
        }
        return marks;
    }
}
function isSecretSet(value) {
    return typeof value === 'object' && value !== null && 'secrets' in value;
}
/** The forms the runner can mask by exact match: percent-encoded once and twice in both cases, form-encoded, base64, case changed. */
function maskableForms(secret) {
    const once = percentEncode(secret);
    const twice = percentEncode(once);
    const lowerHex = (text) => text.replace(/%[0-9A-F]{2}/g, escape => escape.toLowerCase());
    return [
        secret,
        once,
        twice,
        lowerHex(once),
        lowerHex(twice),
        new URLSearchParams({ s: secret }).toString().slice(2),
        Buffer.from(secret, 'utf8').toString('base64'),
        secret.toUpperCase(),
        secret.toLowerCase()
    ];
}
/** The redactor for a way to authenticate, plus any other secret read from the inputs. */
function redactorFor(auth, more = []) {
    const secrets = [...(auth ? authSecrets(auth) : []), ...more];
    const prefixed = auth?.mode === 'basic' ? [{ prefix: `${auth.user}:`, secret: auth.apiToken }] : [];
    return new redact_Redactor({ secrets, prefixed });
}
// A header value that carries credentials, wherever an echo prints it: "Authorization: Basic …",
// "authorization=Bearer …", JSON "authorization":"OAuth …".
const AUTHORIZATION = /(authorization"?\s*[:=]\s*"?(?:Bearer|Basic|OAuth|Token|Digest|Negotiate)\s+)([^\r\n"]*)/gi;
// OAuth parameters that are secrets or prove possession of one, in header form (name="value"),
// form encoding (name=value) and percent-encoded (decoding undid most of that already).
const OAUTH_SECRET_PARAM = /\b(oauth_(?:token_secret|token|signature|verifier|session_handle))(="?|%(?:25)*3D)((?:(?!%(?:25)*26)[^&"\s,;<])+)/g;
// Cookies and other credential headers an echo may carry.
const CREDENTIAL_HEADER = /((?:cookie|set-cookie|x-api-key|proxy-authorization|x-auth-token)"?\s*[:=]\s*"?)[^\r\n"]+/gi;
/** The spans of credential-shaped values in a decoded text, whoever's they are. */
function credentialValues(text) {
    const spans = [];
    for (const match of text.matchAll(AUTHORIZATION)) {
        const start = (match.index ?? 0) + match[1].length;
        spans.push([start, start + match[2].length]);
    }
    for (const match of text.matchAll(OAUTH_SECRET_PARAM)) {
        const start = (match.index ?? 0) + match[1].length + match[2].length;
        spans.push([start, start + match[3].length]);
    }
    for (const match of text.matchAll(CREDENTIAL_HEADER)) {
        const start = (match.index ?? 0) + match[1].length;
        spans.push([start, (match.index ?? 0) + match[0].length]);
    }
    return spans;
}
// Token characters: base64 and its URL-safe alphabet, = only as padding at the end (so that
// name=value pairs stay apart).
const TOKEN_CHARS = /[A-Za-z0-9+/_-]+={0,2}/g;
// A URL up to its query: host and /-joined words of a path, where no credential travels.
const URL_PATH = /\b[a-z][a-z0-9+.-]*:\/\/[^\s?#&"'<>@]*(?=[\s?#&"'<>]|$)/gi;
/** Runs of 32 or more token characters outside URL paths, by start: nothing Jira says needs them. */
function tokenRuns(text) {
    const inPath = new Array(text.length).fill(false);
    for (const match of text.matchAll(URL_PATH))
        inPath.fill(true, match.index ?? 0, (match.index ?? 0) + match[0].length);
    const runs = new Map();
    for (const match of text.matchAll(TOKEN_CHARS)) {
        const start = match.index ?? 0;
        if (match[0].length < TOKEN_RUN)
            continue;
        if (inPath[start] && inPath[start + match[0].length - 1])
            continue;
        runs.set(start, match[0].length);
    }
    return runs;
}
/** A text cut to `max` characters (never inside a surrogate pair), with … when cut. */
function cap(text, max) {
    if (text.length <= max)
        return text;
    let end = Math.max(0, max - 1);
    if (end > 0 && /[\ud800-\udbff]/.test(text[end - 1]))
        end--;
    return `${text.slice(0, end)}…`;
}

;// CONCATENATED MODULE: external "node:http"
const external_node_http_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");
;// CONCATENATED MODULE: external "node:https"
const external_node_https_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:https");
;// CONCATENATED MODULE: external "node:net"
const external_node_net_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");
;// CONCATENATED MODULE: external "node:tls"
const external_node_tls_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:tls");
;// CONCATENATED MODULE: ./src/jira/transport.ts





/** Per-request timeout unless the run's own limit is shorter. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Jira's answers here are small (a field list of a large instance is well under 1 MiB). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** A transport failure with a code the client classifies (ECONNRESET, ETIMEDOUT, …). */
class TransportError extends Error {
    code;
    constructor(code, message) {
        super(message);
        this.code = code;
        this.name = 'TransportError';
    }
}
/**
 * A Transport over node:http and node:https. HTTPS_PROXY, HTTP_PROXY and NO_PROXY are honoured
 * as the Actions toolkit reads them, through the same CONNECT tunnels (`tunnel`, which
 * @actions/http-client uses), over kept-alive connections; but only IP loopback and
 * `localhost` go around the proxy unasked, where the toolkit also lets any name starting with
 * "127." (127.attacker.example) go direct. The request and its body are read here, so that a
 * connection cut mid-answer, an answer that never ends and an abort each settle the request at
 * once. Certificates are always checked (NODE_TLS_REJECT_UNAUTHORIZED is overridden). Redirects
 * are not followed: a signed request covers its URL, so a redirect means jira-url is wrong and
 * the user should be told which to use. It never retries; the Jira client decides that.
 */
function httpTransport(options = {}) {
    const ca = options.caCertificates?.length ? [...external_node_tls_namespaceObject.rootCertificates, ...options.caCertificates] : undefined;
    const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
    const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
    const agents = new Map();
    const agentFor = (url) => {
        const proxy = proxyFor(url, options.proxyEnv ?? {});
        const key = `${url.protocol} ${proxy?.href ?? 'direct'}`;
        let agent = agents.get(key);
        if (!agent) {
            agent = newAgent(url.protocol === 'https:', proxy, ca);
            agents.set(key, agent);
        }
        return agent;
    };
    return {
        send(request) {
            const url = new URL(request.url);
            return sendOnce(request, url, agentFor(url), timeoutMs, maxBodyBytes);
        },
        close() {
            // A tunnelling agent has no destroy(): its sockets end with their requests.
            for (const agent of agents.values())
                if (typeof agent.destroy === 'function')
                    agent.destroy();
            agents.clear();
        }
    };
}
// As @actions/http-client sizes its agents.
const MAX_SOCKETS = 100;
function newAgent(https, proxy, ca) {
    // Explicit, so that NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment cannot turn the check off.
    const tls = { rejectUnauthorized: true, ...(ca ? { ca } : {}) };
    if (!proxy)
        return https ? new external_node_https_namespaceObject.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS, ...tls }) : new external_node_http_namespaceObject.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
    const proxyAuth = proxy.username || proxy.password ? `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}` : undefined;
    const port = Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80);
    const tunnelOptions = { maxSockets: MAX_SOCKETS, proxy: { host: proxy.hostname, port, ...(proxyAuth ? { proxyAuth } : {}) }, ...tls };
    const overHttps = proxy.protocol === 'https:';
    if (https)
        return overHttps ? node_modules_tunnel.httpsOverHttps(tunnelOptions) : node_modules_tunnel.httpsOverHttp(tunnelOptions);
    return overHttps ? node_modules_tunnel.httpOverHttps(tunnelOptions) : node_modules_tunnel.httpOverHttp(tunnelOptions);
}
/**
 * The proxy a request goes through, or undefined to go direct: HTTPS_PROXY for https and
 * HTTP_PROXY for http (lower case first, as the toolkit reads them), unless NO_PROXY names the
 * host (exactly, with its port, or as a domain suffix; `*` for all) or the host is loopback.
 */
function proxyFor(url, env) {
    if (isLoopback(url.hostname))
        return undefined;
    const proxyText = url.protocol === 'https:' ? env.https_proxy || env.HTTPS_PROXY : env.http_proxy || env.HTTP_PROXY;
    if (!proxyText || noProxy(url, env.no_proxy || env.NO_PROXY || ''))
        return undefined;
    try {
        return new URL(/^https?:\/\//i.test(proxyText) ? proxyText : `http://${proxyText}`);
    }
    catch {
        return undefined;
    }
}
/**
 * Only addresses that cannot leave this machine: `localhost`, 127.0.0.0/8, ::1 and IPv4-mapped
 * 127.x. WHATWG URL has already turned 127.1 and 0x7f.0.0.1 into 127.0.0.1, so a name such as
 * 127.0.0.1.nip.io, which public DNS resolves anywhere, is not taken for one.
 */
function isLoopback(hostname) {
    const host = hostname.toLowerCase();
    if (host === 'localhost')
        return true;
    if ((0,external_node_net_namespaceObject.isIPv4)(host))
        return host.startsWith('127.');
    return host === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(host);
}
/** NO_PROXY as @actions/http-client reads it: host or host:port, a domain suffix, or `*`. */
function noProxy(url, list) {
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    const hosts = [url.hostname.toUpperCase(), `${url.hostname.toUpperCase()}:${port}`];
    for (const item of list.split(',').map(entry => entry.trim().toUpperCase())) {
        if (item === '')
            continue;
        if (item === '*')
            return true;
        if (hosts.some(host => host === item || host.endsWith(`.${item}`) || (item.startsWith('.') && host.endsWith(item))))
            return true;
    }
    return false;
}
function sendOnce(request, url, agent, timeoutMs, maxBodyBytes) {
    return new Promise((resolve, reject) => {
        const { signal } = request;
        if (signal?.aborted) {
            reject(new TransportError('ABORT_ERR', 'the request was stopped'));
            return;
        }
        const headers = { 'User-Agent': 'jira-build-result', ...request.headers };
        if (request.body !== undefined)
            headers['Content-Length'] = Buffer.byteLength(request.body);
        const send = url.protocol === 'https:' ? external_node_https_namespaceObject.request : external_node_http_namespaceObject.request;
        let settled = false;
        const onAbort = () => fail(new TransportError('ABORT_ERR', 'the request was stopped'));
        const finish = () => {
            settled = true;
            signal?.removeEventListener('abort', onAbort);
        };
        const fail = (error) => {
            if (settled)
                return;
            finish();
            req.destroy();
            reject(error);
        };
        const req = send(url, { method: request.method, headers, agent }, (response) => {
            const chunks = [];
            let size = 0;
            response.on('data', (chunk) => {
                size += chunk.length;
                if (size > maxBodyBytes) {
                    fail(new TransportError('ERR_BODY_TOO_LARGE', `the answer is larger than ${maxBodyBytes / 1024 / 1024} MiB`));
                    return;
                }
                chunks.push(chunk);
            });
            response.on('end', () => {
                if (settled)
                    return;
                finish();
                resolve({ status: response.statusCode ?? 0, headers: flattenHeaders(response.headers), body: Buffer.concat(chunks).toString('utf8') });
            });
            // A reset or an early FIN mid-body: Node reports it as an error or a close before the end.
            response.on('error', () => fail(new TransportError('ECONNRESET', 'the connection closed in the middle of the answer')));
            response.on('close', () => {
                if (!response.complete)
                    fail(new TransportError('ECONNRESET', 'the connection closed in the middle of the answer'));
            });
        });
        req.setTimeout(timeoutMs, () => fail(new TransportError('ETIMEDOUT', 'the request timed out')));
        req.on('error', error => fail(error));
        signal?.addEventListener('abort', onAbort, { once: true });
        req.end(request.body);
    });
}
function flattenHeaders(headers) {
    const flat = {};
    for (const [name, value] of Object.entries(headers)) {
        flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    return flat;
}
/** The transport for validated options: per-request timeout within the run's, extra CAs, and the proxy. */
function transportFor(options, proxyEnv = {}) {
    return httpTransport({
        timeoutMs: Math.min(REQUEST_TIMEOUT_MS, options.timeoutSeconds * 1000),
        caCertificates: options.caCertificates,
        proxyEnv
    });
}
/**
 * What the environment changes about the transport that a user should hear of: certificate
 * checks stay on whatever NODE_TLS_REJECT_UNAUTHORIZED says, which is worth saying by name.
 */
function environmentWarnings(env, caInput) {
    if (env.NODE_TLS_REJECT_UNAUTHORIZED !== '0')
        return [];
    return [
        `NODE_TLS_REJECT_UNAUTHORIZED=0 is set in the environment, which would turn certificate checks off; Jira's certificate is checked anyway. For Jira behind an internal CA, pass its certificate as ${caInput}, or point NODE_EXTRA_CA_CERTS at it.`
    ];
}

;// CONCATENATED MODULE: ./src/jira/words.ts
/** The action's words: inputs of the workflow step. */
const ACTION_WORDS = {
    input: name => `input '${name}'`,
    checkCredentials: 'Check the secrets behind the credential inputs (jira-build-result check tells which user they act as).'
};
/** Values shown in a message at most; the rest are counted. */
const LISTED_VALUES = 20;
/** The first 20 items joined, then "(+59,980 more)": a list in a message never grows with Jira's answer. */
function shownList(items, max = LISTED_VALUES) {
    const shown = items.slice(0, max).join(', ');
    return items.length > max ? `${shown} (+${(items.length - max).toLocaleString('en-US')} more)` : shown;
}

;// CONCATENATED MODULE: ./src/oauth/keys.ts

/** The formats a private key may arrive in, for error messages. */
const ACCEPTED_KEY_FORMATS = 'PEM PKCS#8 (-----BEGIN PRIVATE KEY-----), PEM PKCS#1 (-----BEGIN RSA PRIVATE KEY-----), ' +
    'encrypted PKCS#8 (-----BEGIN ENCRYPTED PRIVATE KEY-----, with its passphrase), ' +
    'or the bare base64 body of a PKCS#8 key as kept in config.properties; ' +
    'line breaks may be real, missing, or written as \\n';
/** Why a private key could not be used. The message never contains key material. */
class PrivateKeyError extends Error {
    reason;
    remedy;
    blamesPassphrase;
    constructor(reason, remedy, 
    /** The passphrase, not the key, is what is wrong. */
    blamesPassphrase = false) {
        super(`${reason} ${remedy}`);
        this.reason = reason;
        this.remedy = remedy;
        this.blamesPassphrase = blamesPassphrase;
        this.name = 'PrivateKeyError';
    }
}
const PEM_BLOCKS = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const PRIVATE_LABELS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'ENCRYPTED PRIVATE KEY']);
const BASE64_ONLY = /^[A-Za-z0-9+/=]+$/;
// The OID of PKCS#7 data (1.2.840.113549.1.7.1), which opens every PKCS#12 file's content.
const PKCS7_DATA_OID = Buffer.from('06092a864886f70d010701', 'hex');
const PKCS12_REMEDY = 'Take the key out of it: openssl pkcs12 -in bundle.p12 -nocerts -nodes | openssl pkcs8 -topk8 -nocrypt -out jira_privatekey.pem, and use that file.';
/** "an EC key", "a DSA key": node:crypto's key types as people write them. */
const KEY_TYPE_NAMES = {
    ec: 'an EC',
    dsa: 'a DSA',
    dh: 'a DH',
    ed25519: 'an Ed25519',
    ed448: 'an Ed448',
    x25519: 'an X25519',
    x448: 'an X448',
    'rsa-pss': 'an RSA-PSS'
};
/**
 * Loads an RSA private key from any of the forms CI secrets hold it in and returns a
 * node:crypto key. Throws PrivateKeyError, whose message names the accepted formats and
 * never repeats any part of the key.
 */
function loadPrivateKey(text, passphrase, passphraseName = 'the passphrase') {
    const cleaned = normalizeKeyText(text);
    if (cleaned === '') {
        throw new PrivateKeyError('The private key is empty.', `Provide one of: ${ACCEPTED_KEY_FORMATS}.`);
    }
    // eslint-disable-next-line no-control-regex -- a NUL byte is exactly what marks a binary file
    if (/[\u0000\ufffd]/.test(cleaned)) {
        throw new PrivateKeyError('The private key is binary, such as a PKCS#12 (.p12, .pfx) file or DER, not text.', PKCS12_REMEDY);
    }
    if (/^\s*private_key\s*=/m.test(cleaned)) {
        throw new PrivateKeyError("This is the private_key line of Jira's config.properties, not the key alone.", "Store only what follows 'private_key=': sed -n 's/^private_key=//p' config.properties");
    }
    // Bundles such as `openssl pkcs12 -nodes` output put certificates before the key.
    const blocks = [...cleaned.matchAll(PEM_BLOCKS)];
    const block = blocks.find(candidate => PRIVATE_LABELS.has(candidate[1])) ?? blocks[0];
    let key;
    if (block) {
        key = loadPemBlock(block[1], block[2], passphrase, passphraseName);
    }
    else if (/^\s*-----BEGIN [A-Z0-9 ]+-----\s*$/.test(cleaned)) {
        // A .env file (what @github/local-action reads) keeps only the first line of a value
        // written over several lines.
        throw new PrivateKeyError('The private key is its BEGIN line and nothing more: everything after the first line was cut, as a .env file cuts a key written over several lines.', 'In a .env file, write the key on one line with \\n for each line break; in a secret, copy the whole key file, from -----BEGIN to -----END.');
    }
    else if (cleaned.includes('-----BEGIN')) {
        throw new PrivateKeyError('The private key has a BEGIN line but no matching END line: it looks truncated.', 'Copy the whole key file, from -----BEGIN to -----END, into the secret.');
    }
    else {
        key = loadBareBase64(cleaned);
    }
    if (key.asymmetricKeyType !== 'rsa') {
        const type = key.asymmetricKeyType;
        throw new PrivateKeyError(`The private key is ${(type && KEY_TYPE_NAMES[type]) ?? `a ${type ?? 'non-RSA'}`} key; Jira's OAuth uses RSA-SHA1.`, 'Generate an RSA key (for example with the keygen command) and register its public key on the application link.');
    }
    return key;
}
/**
 * Undoes what secret stores do to multi-line values: surrounding quotes, literal "\n"
 * escapes and Windows line ends.
 */
function normalizeKeyText(text) {
    let cleaned = text.trim();
    if (cleaned.length >= 2 && /^(["']).*\1$/s.test(cleaned))
        cleaned = cleaned.slice(1, -1).trim();
    return cleaned.replace(/\\r\\n|\\n|\\r/g, '\n').replace(/\r\n?/g, '\n');
}
function loadPemBlock(label, inner, passphrase, passphraseName) {
    switch (label) {
        case 'PUBLIC KEY':
        case 'RSA PUBLIC KEY':
            throw new PrivateKeyError('This is a public key, not the private key.', 'The public key goes on the application link in Jira; the secret needs the private key file it was made from.');
        case 'CERTIFICATE':
            throw new PrivateKeyError('This is an X.509 certificate, not the private key.', 'The secret needs the private key file the certificate was made from (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY).');
        case 'OPENSSH PRIVATE KEY':
            throw new PrivateKeyError('This is an OpenSSH private key, which Node cannot read as RSA-SHA1 signing key.', "Convert it with 'ssh-keygen -p -m PKCS8 -f FILE' or generate a new key with the keygen command.");
        case 'PRIVATE KEY':
        case 'RSA PRIVATE KEY':
        case 'ENCRYPTED PRIVATE KEY':
            break;
        default:
            throw new PrivateKeyError(`A PEM block labelled "${label}" is not an RSA private key.`, `Provide one of: ${ACCEPTED_KEY_FORMATS}.`);
    }
    // Legacy OpenSSL encryption keeps "Proc-Type" and "DEK-Info" headers above the body. Their
    // values hold no spaces, so they are found even when the line breaks were lost.
    const headers = [];
    let rest = inner;
    for (const name of ['Proc-Type', 'DEK-Info']) {
        const header = new RegExp(`${name}:\\s*(\\S+)`).exec(rest);
        if (!header)
            continue;
        headers.push(`${name}: ${header[1]}`);
        rest = rest.replace(header[0], '');
    }
    const body = rest.replace(/\s+/g, '');
    const encrypted = label === 'ENCRYPTED PRIVATE KEY' || headers.some(h => h.startsWith('Proc-Type:') && h.includes('ENCRYPTED'));
    if (encrypted && !passphrase) {
        throw new PrivateKeyError('The private key is encrypted and no passphrase was given.', `Provide ${passphraseName}, or store the key unencrypted.`);
    }
    if (!BASE64_ONLY.test(body)) {
        throw new PrivateKeyError('The private key body is not base64: it has been altered or cut.', `Copy the whole key file again. Accepted: ${ACCEPTED_KEY_FORMATS}.`);
    }
    const wrapped = body.match(/.{1,64}/g)?.join('\n') ?? '';
    const headerBlock = headers.length > 0 ? `${headers.join('\n')}\n\n` : '';
    const pem = `-----BEGIN ${label}-----\n${headerBlock}${wrapped}\n-----END ${label}-----\n`;
    try {
        return (0,external_node_crypto_namespaceObject.createPrivateKey)({ key: pem, format: 'pem', passphrase: encrypted ? passphrase : undefined });
    }
    catch (thrown) {
        // node:crypto's own message names OpenSSL internals, never the key; we still say it in our words.
        const code = typeof thrown === 'object' && thrown !== null && 'code' in thrown ? thrown.code : undefined;
        if (encrypted && code === 'ERR_OSSL_EVP_UNSUPPORTED') {
            throw new PrivateKeyError("The private key is encrypted with a legacy cipher (such as DES or RC2) that Node's OpenSSL 3 no longer decrypts; the passphrase may well be right.", 'Re-encrypt it with AES: openssl pkcs8 -topk8 -v2 aes-256-cbc -provider legacy -provider default -in old.pem -out new.pem, and store new.pem.');
        }
        if (encrypted) {
            throw new PrivateKeyError('The encrypted private key could not be decrypted with the passphrase given.', `Check ${passphraseName} matches the one the key was encrypted with.`, true);
        }
        throw new PrivateKeyError('The private key could not be parsed: it looks truncated or altered.', `Copy the whole key file again. Accepted: ${ACCEPTED_KEY_FORMATS}.`);
    }
}
function loadBareBase64(text) {
    const body = text.replace(/\s+/g, '');
    if (!BASE64_ONLY.test(body)) {
        throw new PrivateKeyError('The private key is neither PEM nor base64.', `Provide one of: ${ACCEPTED_KEY_FORMATS}.`);
    }
    const der = Buffer.from(body, 'base64');
    if (isPkcs12(der))
        throw new PrivateKeyError('This is a PKCS#12 (.p12, .pfx) bundle in base64, not a PEM key.', PKCS12_REMEDY);
    for (const type of ['pkcs8', 'pkcs1']) {
        try {
            return (0,external_node_crypto_namespaceObject.createPrivateKey)({ key: der, format: 'der', type });
        }
        catch {
            // try the next encoding
        }
    }
    throw new PrivateKeyError('The base64 private key could not be parsed as PKCS#8 or PKCS#1: it looks truncated or is not a private key.', `Copy the whole key again. Accepted: ${ACCEPTED_KEY_FORMATS}.`);
}
/** A PKCS#12 PFX: SEQUENCE { INTEGER 3, SEQUENCE { OID pkcs7-data, … } … } near the start. */
function isPkcs12(der) {
    const head = der.subarray(0, 32);
    return der[0] === 0x30 && head.includes(Buffer.from([0x02, 0x01, 0x03])) && head.includes(PKCS7_DATA_OID);
}
/**
 * Every piece of a secret that could show up on its own in a log line: the whole value,
 * and for multi-line values (PEM keys) each line long enough to identify it.
 */
function secretFragments(secret) {
    const trimmed = secret.trim();
    if (trimmed === '')
        return [];
    const fragments = new Set([trimmed]);
    for (const line of normalizeKeyText(trimmed).split('\n')) {
        const piece = line.trim();
        if (piece.length >= 8 && !piece.startsWith('-----'))
            fragments.add(piece);
    }
    return [...fragments];
}

;// CONCATENATED MODULE: ./src/inputs.ts
/**
 * Every input, declared once: its name, what it means, its default, whether it is a secret, and
 * how the command line takes it. action.yml, the CLI's flags and usage, and the README's table
 * are derived from or checked against this list (test/inputs.test.ts).
 */
const JIRA_COMMANDS = ['update', 'check', 'request-token', 'access-token', 'authorize'];
const DECLARED = [
    {
        name: 'jira-url',
        description: "Jira's base URL as Jira knows it, context path included, e.g. https://jira.example.com/jira.",
        required: true,
        cli: { flag: 'string', env: 'JIRA_URL', commands: JIRA_COMMANDS }
    },
    {
        name: 'api-url',
        description: "Where REST calls go when not to jira-url: Jira Cloud's API gateway, https://api.atlassian.com/ex/jira/{cloudId}. Empty on Cloud: derived for client credentials, and tried when the site refuses an API token (scoped tokens). Links keep jira-url.",
        cli: { flag: 'string', env: 'JIRA_API_URL', commands: ['update', 'check'] }
    },
    {
        name: 'consumer-key',
        description: "The consumer key of Jira's application link (incoming authentication).",
        cli: { flag: 'string', env: 'JIRA_CONSUMER_KEY', commands: JIRA_COMMANDS }
    },
    {
        name: 'private-key',
        description: 'The RSA private key whose public key is on the application link: PEM PKCS#8 or PKCS#1, encrypted PKCS#8, or the bare base64 body. Pass it from a secret.',
        secret: true,
        cli: {
            env: 'JIRA_PRIVATE_KEY',
            fileEnv: 'JIRA_PRIVATE_KEY_FILE',
            description: 'The RSA private key whose public key is on the application link: PEM PKCS#8 or PKCS#1, encrypted PKCS#8, or the bare base64 body. JIRA_PRIVATE_KEY_FILE names a file that holds it instead (a Jenkins Secret file credential).',
            commands: JIRA_COMMANDS
        }
    },
    {
        name: 'private-key-passphrase',
        description: 'The passphrase of an encrypted private key. Pass it from a secret.',
        secret: true,
        cli: { env: 'JIRA_PRIVATE_KEY_PASSPHRASE', description: 'The passphrase of an encrypted private key.', commands: JIRA_COMMANDS }
    },
    {
        name: 'access-token',
        description: 'The OAuth access token from the authorization dance (RSA-SHA1 needs no token secret). Pass it from a secret.',
        secret: true,
        cli: {
            env: 'JIRA_ACCESS_TOKEN',
            description: 'The OAuth access token from the authorize command (RSA-SHA1 needs no token secret).',
            commands: ['update', 'check']
        }
    },
    {
        name: 'personal-access-token',
        description: 'Instead of OAuth: a Jira Data Center (8.14+) personal access token, sent as a Bearer token. Pass it from a secret.',
        secret: true,
        cli: {
            env: 'JIRA_PERSONAL_ACCESS_TOKEN',
            description: 'Instead of OAuth: a Jira Data Center (8.14+) personal access token, sent as a Bearer token.',
            commands: ['update', 'check']
        }
    },
    {
        name: 'user',
        description: 'Instead of OAuth, with api-token: the user for basic auth (on Jira Cloud, the e-mail address).',
        cli: {
            flag: 'string',
            env: 'JIRA_USER',
            description: 'Instead of OAuth, with JIRA_API_TOKEN: the user for basic auth (on Jira Cloud, the e-mail address).',
            commands: ['update', 'check']
        }
    },
    {
        name: 'api-token',
        description: 'Instead of OAuth, with user: the API token for basic auth (Jira Cloud). Pass it from a secret.',
        secret: true,
        cli: { env: 'JIRA_API_TOKEN', description: 'Instead of OAuth, with --user: the API token for basic auth (Jira Cloud).', commands: ['update', 'check'] }
    },
    {
        name: 'client-id',
        description: 'Instead of OAuth 1.0a, with client-secret: the client id of an OAuth 2.0 credential of a service account (client credentials; Data Center and Cloud).',
        cli: { flag: 'string', env: 'JIRA_CLIENT_ID', commands: ['update', 'check'] }
    },
    {
        name: 'client-secret',
        description: "With client-id: the client secret of the service account's OAuth 2.0 credential. Pass it from a secret.",
        secret: true,
        cli: {
            env: 'JIRA_CLIENT_SECRET',
            description: "With --client-id: the client secret of the service account's OAuth 2.0 credential.",
            commands: ['update', 'check']
        }
    },
    {
        name: 'token-url',
        description: 'With client-id: where to ask for access tokens. Default: {jira-url}/rest/oauth2/latest/token on Data Center, https://auth.atlassian.com/oauth/token on Cloud (*.atlassian.net).',
        cli: { flag: 'string', env: 'JIRA_TOKEN_URL', commands: ['update', 'check'] }
    },
    {
        name: 'scope',
        description: 'With client-id: the scopes to ask for, separated by spaces (Data Center: WRITE, or READ WRITE). Empty: what the credential grants.',
        cli: { flag: 'string', env: 'JIRA_SCOPE', commands: ['update', 'check'] }
    },
    {
        name: 'issue',
        description: 'One or more issue keys, separated by commas, spaces or newlines, e.g. CI-42. Empty: keys are found in the pull request title, head branch and commit messages.',
        cli: {
            flag: 'string',
            description: 'One or more issue keys, separated by commas or spaces, e.g. CI-42. Without it (and without --jql), keys are found in CHANGE_TITLE and in BRANCH_NAME, CHANGE_BRANCH or GIT_BRANCH.',
            commands: ['update']
        }
    },
    {
        name: 'issue-source',
        description: 'Where to look for keys when issue is empty: any of pr-title, branch, commits, separated by commas.',
        default: 'pr-title,branch,commits',
        cli: {
            flag: 'string',
            description: 'Where to look for keys without --issue: any of pr-title (CHANGE_TITLE), branch, commits, separated by commas.',
            commands: ['update']
        }
    },
    {
        name: 'projects',
        description: 'Project keys that found keys must belong to, e.g. CI, WEB; it rules out look-alikes such as UTF-8.',
        cli: { flag: 'string', commands: ['update'] }
    },
    {
        name: 'jql',
        description: 'Select the issues with a JQL query instead, e.g. project = CI AND fixVersion = "1.0". Pages are read up to max-issues.',
        cli: { flag: 'string', commands: ['update'] }
    },
    {
        name: 'max-issues',
        description: 'The most issues one run may write. When the JQL query, the keys found in the pull request or commits, or the issue list name more, nothing is written and result is invalid.',
        default: '100',
        cli: { flag: 'string', commands: ['update'] }
    },
    { name: 'field', description: 'The field to set, by id (customfield_10314) or by name (Build Result).', cli: { flag: 'string', commands: ['update'] } },
    {
        name: 'value',
        description: "The value to set, as a person writes it (Build Passed); formatted for the field's type. May use {status}, {run_url}, {run_number}, {sha}, {ref}, {workflow}, {repository}.",
        cli: {
            flag: 'string',
            description: "The value to set, as a person writes it (Build Passed); formatted for the field's type. May use {status}, {run_url}, {run_number}, {sha}, {ref}, {workflow}, {repository}. A value that starts with a dash needs an equals sign: --value=-1 (--value -1 reads -1 as a flag).",
            commands: ['update']
        }
    },
    {
        name: 'status',
        description: 'The build status that value-map maps to a value: the job status (job.status) or a Jenkins result.',
        cli: {
            flag: 'string',
            description: 'The build status that --value-map maps to a value: currentBuild.currentResult (SUCCESS, UNSTABLE, FAILURE, ABORTED, NOT_BUILT) or success, failure, cancelled.',
            commands: ['update']
        }
    },
    {
        name: 'value-map',
        description: 'Values by status, e.g. success=Build Passed, failure=Build Failed, cancelled=Build Aborted.',
        cli: {
            flag: 'string',
            description: 'Values by status, e.g. success=Build Passed, unstable=Build Unstable, failure=Build Failed, aborted=Build Aborted. Without an entry of its own, NOT_BUILT takes the aborted entry, ABORTED and NOT_BUILT the cancelled one, UNSTABLE the failure one.',
            commands: ['update']
        }
    },
    {
        name: 'set',
        description: 'More fields, one change a line: "Name = value" sets a field (by name or id; templates filled, formatted by type), "Name += item" and "Name -= item" add and remove one item of a list field (labels, versions, components, multi-selects), keeping the others.',
        cli: { flag: 'string', multiple: true, commands: ['update'] }
    },
    {
        name: 'remote-link',
        description: 'The title of a link to the run on each issue, e.g. Build #{run_number}: {status}. One link per workflow (per job on Jenkins): the next run updates it instead of adding one.',
        cli: { flag: 'string', commands: ['update'] }
    },
    {
        name: 'comment',
        description: 'A comment to post on each issue, e.g. Build {run_number} {status}: {run_url}. Never retried once it may have reached Jira.',
        cli: { flag: 'string', commands: ['update'] }
    },
    {
        name: 'comment-on',
        description: 'The statuses that post the comment, e.g. failure, cancelled. Empty: every status.',
        cli: { flag: 'string', commands: ['update'] }
    },
    {
        name: 'fields',
        description: 'A raw JSON object sent as {"fields": …}, for anything field and value cannot say.',
        cli: { flag: 'string', commands: ['update'] }
    },
    {
        name: 'notify-users',
        description: "'false' asks Jira not to e-mail watchers about the change (notifyUsers=false; needs admin rights on some sites).",
        default: 'true',
        cli: {
            flag: 'string',
            description: 'Pass false to ask Jira not to e-mail watchers about the change (notifyUsers=false; needs admin rights on some sites).',
            commands: ['update']
        }
    },
    { name: 'concurrency', description: 'How many issues are updated at once.', default: '4', cli: { flag: 'string', commands: ['update'] } },
    {
        name: 'max-retries',
        description: 'Retries of a transient failure (429, 502, 503, 504, a lost connection), honouring Retry-After. 401, 403, 404, 400 and a CAPTCHA are never retried.',
        default: '3',
        cli: { flag: 'string', commands: JIRA_COMMANDS }
    },
    {
        name: 'timeout',
        description: "The step's time limit in seconds, retries and waits included.",
        default: '60',
        cli: { flag: 'string', description: "The command's time limit in seconds, retries and waits included.", commands: JIRA_COMMANDS }
    },
    {
        name: 'ca-certificate',
        description: "PEM of the CA certificate(s) that signed Jira's certificate, for Jira behind an internal CA (NODE_EXTRA_CA_CERTS works too).",
        cli: {
            flag: 'string',
            env: 'JIRA_CA_CERTIFICATE',
            description: "A PEM file (or the PEM itself) of the CA certificate(s) that signed Jira's certificate, for Jira behind an internal CA (NODE_EXTRA_CA_CERTS works too).",
            commands: JIRA_COMMANDS
        }
    },
    {
        name: 'fail-on-error',
        description: "'true' fails the step when an issue is not updated; 'false' turns failures into warnings and keeps the step green.",
        default: 'true',
        cli: {
            flag: 'string',
            description: 'Pass false to turn failures into warnings and exit 0, so a Jira outage keeps the build green; by default a failure exits 1.',
            commands: ['update']
        }
    },
    {
        name: 'dry-run',
        description: "'true' prints every request that would write (the edit, the link, the comment: method, URL and body, Authorization redacted) and sends none of them.",
        default: 'false',
        cli: {
            flag: 'boolean',
            description: 'A switch (no value): print the method, URL and body it would send (Authorization redacted) and send nothing that writes.',
            commands: ['update']
        }
    }
];
/** Every input, in action.yml's order. */
const INPUTS = DECLARED;
const INPUT_NAMES = INPUTS.map(input => input.name);
const BY_NAME = new Map(INPUTS.map(input => [input.name, input]));
/** The declaration of one input. */
function inputSpec(name) {
    const spec = BY_NAME.get(name);
    if (!spec)
        throw new Error(`no input is declared as ${name}`);
    return spec;
}
/** Inputs that hold secrets: masked at once by the action, taken only from the environment by the CLI. */
const SECRET_INPUTS = new Set(INPUT_NAMES.filter(name => inputSpec(name).secret === true));
/** An input's declared default, as action.yml quotes it ('' when it has none). */
function defaultOf(name) {
    return inputSpec(name).default ?? '';
}
/** An input's text, trimmed; its declared default when empty. */
function inputs_text(raw, input) {
    return (raw[input] ?? '').trim() || defaultOf(input);
}
/** An input's declared default as a number, for the places that need one before any input is read. */
function numericDefault(name) {
    return Number(defaultOf(name));
}

;// CONCATENATED MODULE: ./src/jira/gateway.ts

/** Atlassian's API gateway. */
const GATEWAY_ORIGIN = 'https://api.atlassian.com';
/** The base URL of a Cloud site's REST API through the gateway. */
function gatewayUrl(cloudId, origin = GATEWAY_ORIGIN) {
    return `${origin}/ex/jira/${cloudId}`;
}
/** Whether a jira-url is a Jira Cloud site (Atlassian's own host names for sites). */
function isCloudSite(jiraUrl) {
    try {
        return /\.(atlassian\.net|jira\.com|jira-dev\.com)$/i.test(new URL(jiraUrl).hostname);
    }
    catch {
        return false;
    }
}
/** Always the same base: jira-url, or the api-url the user gave. */
function fixedRoute(base) {
    return { known: base, base: () => Promise.resolve(base) };
}
const TENANT_INFO = {
    name: 'an object with a cloudId',
    is: (value) => typeof value === 'object' && value !== null && !Array.isArray(value)
};
/**
 * Learns a Cloud site's gateway URL from `{site}/_edge/tenant_info` (no credentials needed).
 * Throws a JiraError naming api-url when the site does not say.
 */
async function discoverGateway(siteClient, origin = GATEWAY_ORIGIN) {
    const site = siteClient.baseUrl;
    const setIt = `Set ${siteClient.words.input('api-url')} to ${gatewayUrl('{cloudId}', origin)}, with the cloudId ${site}/_edge/tenant_info shows in a browser.`;
    let info;
    try {
        info = await siteClient.json('GET', '/_edge/tenant_info', { anonymousExpected: true }, TENANT_INFO);
    }
    catch (thrown) {
        if (!(thrown instanceof JiraError) || thrown.kind === 'network')
            throw thrown;
        throw new JiraError('wrong-url', `Could not learn the cloudId of ${site} for Cloud's API gateway: ${thrown.reason}`, setIt, thrown.details);
    }
    const cloudId = info?.cloudId;
    // It goes into every URL: a UUID, nothing else.
    if (typeof cloudId !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(cloudId)) {
        throw new JiraError('wrong-url', `${site}/_edge/tenant_info did not name a cloudId, so ${site} does not look like a Jira Cloud site.`, setIt);
    }
    return gatewayUrl(cloudId.toLowerCase(), origin);
}
/** Through the gateway from the first call: Cloud service accounts. */
function gatewayRoute(site, discover) {
    let known = site;
    let found;
    return {
        get known() {
            return known;
        },
        base: () => (found ??= discover().then(url => (known = url))),
        triedGateway: true
    };
}
/**
 * The site first, and the gateway once the site answers 401: Cloud with basic auth, where the
 * API token may be a scoped one. The switch happens once and holds for the rest of the run.
 */
function siteThenGatewayRoute(site, discover, onSwitch) {
    let current = Promise.resolve(site);
    let known = site;
    let switched = false;
    return {
        get known() {
            return known;
        },
        base: () => current,
        get triedGateway() {
            return switched;
        },
        afterUnauthorized(sentTo) {
            if (sentTo !== site)
                return Promise.resolve(undefined);
            if (!switched) {
                switched = true;
                // A site whose cloudId cannot be learnt stays the route; its 401 is explained as it is.
                current = discover().then(url => {
                    known = url;
                    onSwitch(url);
                    return url;
                }, () => site);
            }
            return current.then(url => (url === site ? undefined : url));
        }
    };
}

;// CONCATENATED MODULE: ./src/issues/keys.ts
/**
 * A Jira issue key: a project key (an ASCII letter, then letters, digits or _) and a number of
 * at most 10 digits. Keys go into request paths, so nothing else passes.
 */
const ISSUE_KEY = /^[A-Z][A-Z0-9_]{1,49}-[1-9]\d{0,9}$/;
/** The same shape before upper-casing, so that no letter outside ASCII can become one inside. */
const WRITTEN_KEY = /^[A-Za-z][A-Za-z0-9_]{1,49}-[1-9]\d{0,9}$/;
/**
 * Splits a list of issue keys written by a person (commas, spaces or newlines between) into
 * upper-cased, deduplicated keys in their order. Returns the keys and the items that are not
 * shaped like a key, so the caller can name them.
 */
function parseIssueKeyList(text) {
    const keys = [];
    const malformed = [];
    const seen = new Set();
    for (const item of text.split(/[\s,;]+/)) {
        if (item === '')
            continue;
        const key = item.toUpperCase();
        if (!WRITTEN_KEY.test(item) || !ISSUE_KEY.test(key))
            malformed.push(item);
        else if (!seen.has(key)) {
            seen.add(key);
            keys.push(key);
        }
    }
    return { keys, malformed };
}

;// CONCATENATED MODULE: ./src/issues/discover.ts

const ISSUE_SOURCES = ['pr-title', 'branch', 'commits'];
// Shapes of a key that are usually something else: encodings, hashes, standards.
const LOOK_ALIKES = new Set(['UTF', 'SHA', 'ISO', 'RFC', 'AES', 'RSA', 'MD', 'TLS', 'HTTP', 'X', 'CVE', 'PR']);
/**
 * Finds issue keys in branch names, titles and commit messages: upper-cased, in first-seen
 * order, without duplicates. With `projects`, only keys of those projects count; without,
 * look-alikes such as UTF-8 and SHA-256 are ignored.
 */
function findIssueKeys(texts, sources = ISSUE_SOURCES, projects = []) {
    const wanted = new Set(projects.map(project => project.toUpperCase()));
    const keys = [];
    // A Set beside the list: a push's commits can name many keys, and includes() would be quadratic.
    const seen = new Set();
    for (const { source, text } of texts) {
        if (!sources.includes(source))
            continue;
        // Keys stand between non-alphanumerics: "feature/ci-42-login" and "[CI-42]" both name CI-42.
        for (const match of text.matchAll(/(?<![A-Za-z0-9])([A-Za-z][A-Za-z0-9_]+)-([1-9]\d*)(?![A-Za-z0-9])/g)) {
            const project = match[1].toUpperCase();
            const key = `${project}-${match[2]}`;
            if (!ISSUE_KEY.test(key))
                continue;
            if (wanted.size > 0 ? !wanted.has(project) : LOOK_ALIKES.has(project))
                continue;
            if (seen.has(key))
                continue;
            seen.add(key);
            keys.push(key);
        }
    }
    return keys;
}
/** Says where keys were looked for, for the message when none is found. */
function describeSources(texts, sources, projects) {
    const looked = texts.filter(t => sources.includes(t.source));
    const places = looked.length === 0
        ? `nothing to look in (sources: ${sources.join(', ')})`
        : looked.map(t => `${t.source} "${t.text.split('\n')[0].slice(0, 80)}"`).join(', ');
    return `${places}${projects.length > 0 ? `, for projects ${projects.join(', ')}` : ''}`;
}

;// CONCATENATED MODULE: ./src/issues/value.ts
const TEMPLATE_NAMES = ['status', 'run_url', 'run_number', 'sha', 'ref', 'workflow', 'repository'];
// Jenkins' build results that have no entry of their own fall back, in order, to these: a
// build stopped before it ran (NOT_BUILT) reads like an aborted one, and both like GitHub's
// cancelled; an unstable build (failed tests) like a failure.
const FALLBACKS = {
    aborted: ['cancelled'],
    not_built: ['aborted', 'cancelled'],
    unstable: ['failure']
};
/** Parses `success=Build Passed, failure=Build Failed` into a map keyed by lower-case status. */
function parseValueMap(text) {
    const map = new Map();
    const malformed = [];
    for (const entry of text.split(/[,\n]/)) {
        if (entry.trim() === '')
            continue;
        const at = entry.indexOf('=');
        const status = at < 0 ? '' : entry.slice(0, at).trim().toLowerCase();
        const value = at < 0 ? '' : entry.slice(at + 1).trim();
        if (status === '' || value === '')
            malformed.push(entry.trim());
        else
            map.set(status, value);
    }
    return { map, malformed };
}
/**
 * The value for a build status: the map's entry for it, or when the status is Jenkins' and has
 * none, the entry of the status it reads like (ABORTED → cancelled; NOT_BUILT → aborted, then
 * cancelled; UNSTABLE → failure).
 */
function mapStatus(status, map) {
    for (const name of statusNames(status))
        if (map.has(name))
            return map.get(name);
    return undefined;
}
/**
 * The names a build status answers to, most specific first: as written (lower case), then the
 * statuses a Jenkins result reads like (UNSTABLE → unstable, failure; NOT_BUILT → not_built,
 * aborted, cancelled).
 */
function statusNames(status) {
    const key = status.trim().toLowerCase();
    return [key, ...(FALLBACKS[key] ?? [])];
}
/**
 * Fills {status}, {run_url} and the other known placeholders. Returns the text and the
 * placeholders it uses that this run cannot fill. Unknown braces stay as written.
 */
function fillTemplate(text, values) {
    const missing = [];
    const filled = text.replace(/\{([a-z_]+)\}/g, (whole, name) => {
        if (!TEMPLATE_NAMES.includes(name))
            return whole;
        const value = values[name];
        if (value === undefined || value === '') {
            missing.push(name);
            return whole;
        }
        return value;
    });
    return { text: filled, missing };
}

;// CONCATENATED MODULE: ./src/plan.ts
/**
 * Planning: which issues, and what changes on each. Pure functions from the inputs and the
 * build's context to the plan the core receives as data; a problem found on the way is reported
 * like any other input problem.
 */





/**
 * Which issues: the keys given, a JQL query, or the keys the build's context names. When none
 * is found, says where the run looked, as data the core words for the user.
 */
function planIssues(raw, nameOf, problem, sourceTexts) {
    const jql = inputs_text(raw, 'jql') || undefined;
    const sources = inputs_text(raw, 'issue-source')
        .split(/[\s,]+/)
        .filter(s => s !== '');
    const unknownSources = sources.filter(source => !ISSUE_SOURCES.includes(source));
    if (unknownSources.length > 0)
        problem('issue-source', `${unknownSources.map(s => `"${s}"`).join(', ')} unknown. Use any of ${ISSUE_SOURCES.join(', ')}, separated by commas.`);
    const projects = inputs_text(raw, 'projects')
        .split(/[\s,]+/)
        .filter(p => p !== '')
        .map(p => p.toUpperCase());
    const badProjects = projects.filter(p => !/^[A-Z][A-Z0-9_]+$/.test(p));
    if (badProjects.length > 0)
        problem('projects', `${badProjects.map(p => `"${p}"`).join(', ')} ${badProjects.length === 1 ? 'is' : 'are'} not a project key. Write keys such as CI, separated by commas.`);
    const issueText = inputs_text(raw, 'issue');
    if (issueText !== '') {
        if (jql)
            problem('jql', `and ${nameOf('issue')} are both set. Select issues one way: by key or by JQL.`);
        const { keys, malformed } = parseIssueKeyList(issueText);
        if (malformed.length > 0) {
            const items = malformed.map(item => `"${item}"`).join(', ');
            problem('issue', `${items} ${malformed.length === 1 ? 'is' : 'are'} not shaped like an issue key. Write keys as PROJECT-123, separated by commas, spaces or newlines.`);
        }
        return { by: 'keys', keys };
    }
    if (jql)
        return { by: 'jql', jql };
    const keys = findIssueKeys(sourceTexts, sources, projects);
    if (keys.length > 0)
        return { by: 'keys', keys, found: describeFound(sourceTexts, sources) };
    return { by: 'none', lookedIn: describeSources(sourceTexts, sources, projects) };
}
/** The value: `value`, or `value-map` looked up by `status`; then templates filled. */
function planValue(raw, nameOf, problem, templateValues) {
    const status = inputs_text(raw, 'status');
    const mapText = inputs_text(raw, 'value-map');
    let value = raw.value === undefined || raw.value === '' ? undefined : raw.value;
    if (mapText !== '') {
        const { map, malformed } = parseValueMap(mapText);
        if (malformed.length > 0)
            problem('value-map', `${malformed.map(m => `"${m}"`).join(', ')}: write entries as status=value, e.g. success=Build Passed, failure=Build Failed.`);
        if (value !== undefined)
            problem('value', `and ${nameOf('value-map')} are both set. Use value for a fixed value, value-map to choose one by status.`);
        if (status === '') {
            problem('status', `is empty, but ${nameOf('value-map')} is set. Pass the build status, e.g. \${{ job.status }} or currentBuild.currentResult.`);
            return undefined;
        }
        value = mapStatus(status, map);
        if (value === undefined && malformed.length === 0) {
            problem('status', `"${status}" is not in ${nameOf('value-map')} (${[...map.keys()].join(', ')}). Add an entry for it.`);
            return undefined;
        }
    }
    if (value === undefined)
        return undefined;
    const filled = fillTemplate(value, { ...templateValues, status: status || undefined });
    if (filled.missing.length > 0) {
        problem('value', `uses ${filled.missing.map(m => `{${m}}`).join(', ')}, which this run does not know${filled.missing.includes('status') ? ` (pass ${nameOf('status')})` : ''}.`);
    }
    return filled.text;
}
/** The places keys were looked for, as a phrase: "title, branch and commits". */
function describeFound(sourceTexts, sources) {
    const names = { 'pr-title': 'title', branch: 'branch', commits: 'commits' };
    const looked = ISSUE_SOURCES.filter(source => sources.includes(source) && sourceTexts.some(text => text.source === source)).map(source => names[source]);
    return looked.length <= 1 ? (looked[0] ?? 'texts') : `${looked.slice(0, -1).join(', ')} and ${looked[looked.length - 1]}`;
}
const OPERATORS = { '=': 'set', '+=': 'add', '-=': 'remove' };
/**
 * The field changes: the field and value inputs, then each line of `set` ("Name = value",
 * "Name += item", "Name -= item"), templates filled. A field changed twice in ways Jira
 * refuses together (set twice, or set and add) is a problem named with both lines.
 */
function planChanges(raw, nameOf, problem, templateValues, value) {
    const changes = [];
    const field = inputs_text(raw, 'field');
    if (field !== '' && value !== undefined)
        changes.push({ origin: nameOf('field'), field, operation: 'set', value });
    const status = inputs_text(raw, 'status') || undefined;
    const lines = (raw.set ?? '').split(/\r?\n/);
    for (const [index, line] of lines.entries()) {
        const written = line.trim();
        if (written === '' || written.startsWith('#'))
            continue;
        const origin = `${nameOf('set')} line ${index + 1}`;
        const match = /^(.*?)\s*(\+=|-=|=)\s*(.*)$/.exec(written);
        if (!match || match[1] === '') {
            problem('set', `line ${index + 1} "${written}" is not a change. Write Name = value, Name += item or Name -= item, one a line.`);
            continue;
        }
        const [, name, operator, template] = match;
        const operation = OPERATORS[operator];
        if (operation !== 'set' && template === '') {
            problem('set', `line ${index + 1} "${written}" names no item to ${operation}. Write ${name} ${operator} item.`);
            continue;
        }
        const filled = fillTemplate(template, { ...templateValues, status });
        if (filled.missing.length > 0) {
            problem('set', `line ${index + 1} uses ${filled.missing.map(m => `{${m}}`).join(', ')}, which this run does not know${filled.missing.includes('status') ? ` (pass ${nameOf('status')})` : ''}.`);
        }
        changes.push({ origin, field: name, operation, value: filled.text });
    }
    for (const clash of clashes(changes, change => change.field.trim().toLowerCase())) {
        problem(clash[1].origin.includes(nameOf('set')) ? 'set' : 'field', `${clash.map(c => c.origin).join(' and ')} both change ${clash[0].field} in ways Jira refuses together (a field is set once, or has items added and removed). Keep one.`);
    }
    return changes;
}
/**
 * Pairs of changes Jira refuses in one edit, by the field each names: a field set twice, or
 * set and also added to or removed from (a field may not be in both "fields" and "update").
 */
function clashes(changes, fieldOf) {
    const found = [];
    for (const [i, change] of changes.entries()) {
        const earlier = changes.slice(0, i).find(other => fieldOf(other) === fieldOf(change) && (other.operation === 'set' || change.operation === 'set'));
        if (earlier)
            found.push([earlier, change]);
    }
    return found;
}
/**
 * The remote link: its title filled, pointing at the run, with the globalId of this pipeline
 * and the icon of the status. The run's URL and the pipeline are needed; a run that knows
 * neither is a problem named with what to set.
 */
function planRemoteLink(raw, problem, templateValues, ci) {
    const template = inputs_text(raw, 'remote-link');
    if (template === '')
        return undefined;
    const status = inputs_text(raw, 'status').toLowerCase() || undefined;
    const filled = fillTemplate(template, { ...templateValues, status });
    if (filled.missing.length > 0)
        problem('remote-link', `uses ${filled.missing.map(m => `{${m}}`).join(', ')}, which this run does not know.`);
    const url = templateValues.run_url;
    if (!url)
        problem('remote-link', 'links to the run, but this run does not know its URL (GitHub sets GITHUB_RUN_ID; Jenkins sets BUILD_URL).');
    if (!ci?.scope)
        problem('remote-link', 'needs to know which pipeline this is (GITHUB_REPOSITORY and GITHUB_WORKFLOW; Jenkins sets JOB_URL or JOB_NAME).');
    if (!url || !ci?.scope)
        return undefined;
    const statusIcon = status === undefined
        ? undefined
        : statusNames(status)
            .map(name => ci.statusIcons?.[name])
            .find(icon => icon !== undefined);
    return { globalId: globalIdOf(ci.scope), title: filled.text, url, status, application: { name: ci.name, icon: ci.icon }, statusIcon };
}
/** The comment: its body filled, posted when the status is among comment-on (every status when empty). */
function planComment(raw, nameOf, problem, templateValues) {
    const template = raw.comment ?? '';
    const on = inputs_text(raw, 'comment-on')
        .split(/[\s,]+/)
        .filter(s => s !== '')
        .map(s => s.toLowerCase());
    if (template.trim() === '') {
        if (on.length > 0)
            problem('comment-on', `is set, but ${nameOf('comment')} is empty. Write the comment to post.`);
        return undefined;
    }
    const status = inputs_text(raw, 'status');
    const filled = fillTemplate(template.trim(), { ...templateValues, status: status || undefined });
    if (filled.missing.length > 0) {
        const input = 'comment';
        problem(input, `uses ${filled.missing.map(m => `{${m}}`).join(', ')}, which this run does not know${filled.missing.includes('status') ? ` (pass ${nameOf('status')})` : ''}.`);
    }
    if (on.length === 0)
        return { post: true, body: filled.text };
    if (status === '') {
        problem('status', `is empty, but ${nameOf('comment-on')} chooses by status. Pass the build status, e.g. \${{ job.status }} or currentBuild.currentResult.`);
        return undefined;
    }
    if (statusNames(status).some(name => on.includes(name)))
        return { post: true, body: filled.text };
    return { post: false, reason: `status ${status} is not in ${nameOf('comment-on')} (${on.join(', ')})` };
}

;// CONCATENATED MODULE: ./src/options.ts








/** The action's one way to name an input, in problems and remedies alike. */
const actionInputName = input => ACTION_WORDS.input(input);
/** The inputs of each way to authenticate, for messages that list them. */
const AUTH_MODE_INPUTS = {
    oauth: ['consumer-key', 'private-key', 'access-token'],
    pat: ['personal-access-token'],
    basic: ['user', 'api-token'],
    'client-credentials': ['client-id', 'client-secret']
};
/** Inputs that only client credentials use. */
const CLIENT_CREDENTIALS_EXTRAS = ['token-url', 'scope'];
/** Atlassian's token endpoint for Cloud service accounts, and the audience its tokens are for. */
const CLOUD_TOKEN_URL = 'https://auth.atlassian.com/oauth/token';
const CLOUD_AUDIENCE = 'api.atlassian.com';
/**
 * No credential at all is configured: what GitHub does for a pull request from a fork or from
 * Dependabot, which get no secrets. Nothing is sent; `fail-on-error` decides the step.
 */
class NoCredentialsError extends Error {
    failOnError;
    jiraUrl;
    constructor(message, failOnError, jiraUrl) {
        super(message);
        this.failOnError = failOnError;
        this.jiraUrl = jiraUrl;
        this.name = 'NoCredentialsError';
    }
}
/** Bad input: every problem found, each naming its input and the fix. */
class InputError extends Error {
    problems;
    constructor(problems) {
        super(problems.map(problem => problem.message).join('\n'));
        this.problems = problems;
        this.name = 'InputError';
    }
}
/** The most max-issues may say (its default is in the declaration of inputs). */
const MAX_MAX_ISSUES = 10_000;
const FORK_HINT = 'If it is stored as a secret, check the job can see it: GitHub passes no secrets to workflows run for pull requests from forks, and Jenkins binds them only inside withCredentials.';
/** Runs a parser that reports problems, and throws them all at once as an InputError. */
function collect(nameOf, parse) {
    const problems = [];
    const result = parse((input, message, options) => problems.push({ input, message: options?.namesInputs ? message : `${nameOf(input)}: ${message}` }));
    if (problems.length > 0)
        throw new InputError(problems);
    return result;
}
/**
 * Validates raw inputs into UpdateOptions. Throws InputError listing every problem, so a
 * run with bad input sends no request at all.
 */
function parseUpdateOptions(raw, nameOf = actionInputName, context = { sourceTexts: [], templateValues: {} }) {
    let noCredentials;
    const options = collect(nameOf, problem => {
        const connection = parseConnection(raw, nameOf, problem, message => (noCredentials = message));
        const issues = planIssues(raw, nameOf, problem, context.sourceTexts);
        const value = planValue(raw, nameOf, problem, context.templateValues);
        const changes = planChanges(raw, nameOf, problem, context.templateValues, value);
        const remoteLink = planRemoteLink(raw, problem, context.templateValues, context.ci);
        const comment = planComment(raw, nameOf, problem, context.templateValues);
        const field = inputs_text(raw, 'field') || undefined;
        const fields = parseFieldsJson(inputs_text(raw, 'fields'), message => problem('fields', message));
        if (field && value === undefined && inputs_text(raw, 'value-map') === '')
            problem('value', `is empty, but ${nameOf('field')} names ${field}. Pass the value to set, or ${nameOf('status')} and ${nameOf('value-map')}.`);
        if (value !== undefined && !field)
            problem('field', `is empty, but a value is set. Name the field by id (customfield_10314) or by name (Build Result).`);
        const asked = ['field', 'value', 'fields', 'set', 'remote-link', 'comment'].some(input => inputs_text(raw, input) !== '');
        if (!asked) {
            problem('field', `nothing to set. Pass ${nameOf('field')} and ${nameOf('value')}, ${nameOf('set')} with one change a line, ${nameOf('remote-link')}, ${nameOf('comment')}, or ${nameOf('fields')} as a JSON object.`);
        }
        for (const id of Object.keys(fields ?? {})) {
            const change = changes.find(c => c.field.trim().toLowerCase() === id.toLowerCase());
            if (change)
                problem('fields', `sets ${id} too, which ${change.origin} already changes. Change it in one place.`);
        }
        const concurrencyText = inputs_text(raw, 'concurrency');
        const concurrency = Number(concurrencyText);
        if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) {
            problem('concurrency', `"${concurrencyText}" is not a whole number from 1 to 16.`);
        }
        const flag = (input) => parseBoolean(inputs_text(raw, input), defaultOf(input) === 'true', message => problem(input, message));
        const notifyUsers = flag('notify-users');
        const failOnError = flag('fail-on-error');
        const dryRun = flag('dry-run');
        const maxIssuesText = inputs_text(raw, 'max-issues');
        const maxIssues = Number(maxIssuesText);
        if (!Number.isInteger(maxIssues) || maxIssues < 1 || maxIssues > MAX_MAX_ISSUES) {
            problem('max-issues', `"${maxIssuesText}" is not a whole number from 1 to ${MAX_MAX_ISSUES}.`);
        }
        if (issues.by === 'keys' && issues.found && context.outsiderEvent && inputs_text(raw, 'projects') === '') {
            connection.warnings.push(`The issue keys were found in the pull request's ${issues.found} on a ${context.outsiderEvent} event, which whoever opened the pull request writes (from a fork too). Set ${nameOf('projects')} to your project keys so only those count; at most ${nameOf('max-issues')} (${maxIssues}) are written.`);
        }
        return { ...connection, issues, changes, fields, remoteLink, comment, notifyUsers, concurrency, failOnError, dryRun, maxIssues };
    });
    // Only when everything else is right: a malformed input stays a hard error.
    if (noCredentials !== undefined)
        throw new NoCredentialsError(noCredentials, options.failOnError, options.jiraUrl);
    return options;
}
/** Validates jira-url and exactly one way to authenticate. Throws InputError. */
function parseConnectionOptions(raw, nameOf = actionInputName) {
    return collect(nameOf, problem => parseConnection(raw, nameOf, problem));
}
/** Validates what the OAuth dance needs: jira-url, the consumer key and the private key. */
function parseConsumerOptions(raw, nameOf = actionInputName) {
    return collect(nameOf, problem => {
        const jiraUrl = parseJiraUrl(text(raw, 'jira-url'), message => problem('jira-url', message));
        const consumerKey = text(raw, 'consumer-key');
        if (consumerKey === '')
            problem('consumer-key', "is empty. Use the consumer key of Jira's application link.");
        checkLength(raw, 'consumer-key', problem);
        const warnings = [];
        if (jiraUrl.startsWith('http:')) {
            warnings.push(`The OAuth dance over plain http shows the request token, the verification code and the access token Jira answers with to anyone on the network; use an https ${nameOf('jira-url')}.`);
        }
        const privateKey = parsePrivateKey(raw, nameOf, problem, warnings);
        // collect() throws when the key did not load, so it is defined past this point.
        return { jiraUrl, consumerKey, privateKey: privateKey, warnings, ...parseNetwork(raw, problem) };
    });
}
function parseConnection(raw, nameOf, problem, none) {
    const jiraUrl = parseJiraUrl(inputs_text(raw, 'jira-url'), message => problem('jira-url', message));
    const warnings = [];
    const modes = Object.keys(AUTH_MODE_INPUTS);
    const configured = modes.filter(mode => AUTH_MODE_INPUTS[mode].some(input => inputs_text(raw, input) !== ''));
    const listModes = () => `OAuth 1.0a: ${AUTH_MODE_INPUTS.oauth.map(nameOf).join(', ')}; personal access token: ${nameOf('personal-access-token')}; basic with an API token: ${nameOf('user')} and ${nameOf('api-token')}; service account (OAuth 2.0 client credentials): ${nameOf('client-id')} and ${nameOf('client-secret')}`;
    let auth;
    const missing = configured.length === 1 ? AUTH_MODE_INPUTS[configured[0]].filter(input => inputs_text(raw, input) === '') : [];
    if (configured.length === 0) {
        const message = `No credentials are given: none of the inputs of any way to authenticate is set. Configure exactly one (${listModes()}). ${FORK_HINT}`;
        if (none)
            none(`No credentials are configured (${listModes()}), so nothing was sent to Jira. ${FORK_HINT}`);
        else
            problem('access-token', message, { namesInputs: true });
    }
    else if (missing.length > 0) {
        // Which way was chosen, from the inputs that are set, and every input it still lacks:
        // an unset variable and an empty one (a Jenkins binding gone wrong) are told apart.
        const mode = configured[0];
        const present = AUTH_MODE_INPUTS[mode].filter(input => !missing.includes(input));
        const lacking = missing.map(input => `${nameOf(input)} (${raw[input] === undefined ? 'not set' : 'empty'})`);
        problem(missing[0], `${capitalize(AUTH_MODE_NAMES[mode])} is the way to authenticate chosen, because ${present.map(nameOf).join(' and ')} ${present.length === 1 ? 'is' : 'are'} set; it also needs ${lacking.join(' and ')}. ${FORK_HINT}`, { namesInputs: true });
    }
    else if (configured.length > 1) {
        problem(AUTH_MODE_INPUTS[configured[1]][0], `credentials for ${configured.length} ways to authenticate are set (${configured.join(', ')}); configure exactly one (${listModes()}).`);
    }
    else if (configured[0] === 'oauth') {
        auth = parseOAuth(raw, nameOf, problem, warnings);
        if (jiraUrl.startsWith('http:'))
            warnings.push(oauthOverHttp(nameOf));
    }
    else if (configured[0] === 'client-credentials') {
        auth = parseClientCredentials(raw, nameOf, problem, jiraUrl, warnings);
    }
    else if (configured[0] === 'pat') {
        auth = { mode: 'pat', personalAccessToken: inputs_text(raw, 'personal-access-token') };
        checkToken(raw, 'personal-access-token', problem);
        if (jiraUrl.startsWith('http:')) {
            warnings.push(`A personal access token over plain http is readable to anyone on the network, who can then act as its user until it is revoked; use an https ${nameOf('jira-url')}.`);
        }
    }
    else {
        const user = inputs_text(raw, 'user');
        const apiToken = inputs_text(raw, 'api-token');
        // eslint-disable-next-line no-control-regex -- control characters are what is refused here
        if (/[\u0000-\u001f\u007f:]/.test(user))
            problem('user', 'holds a colon, a line break or a control character, which basic auth cannot carry. Write the user name or e-mail address alone.');
        checkToken(raw, 'api-token', problem);
        checkLength(raw, 'user', problem);
        auth = { mode: 'basic', user, apiToken };
        if (jiraUrl.startsWith('http:')) {
            warnings.push(`Basic auth over plain http sends the API token readable to anyone on the network; use an https ${nameOf('jira-url')}.`);
        }
    }
    if (auth?.mode !== 'client-credentials') {
        for (const input of CLIENT_CREDENTIALS_EXTRAS) {
            if (inputs_text(raw, input) !== '')
                problem(input, `is set, but only client credentials use it. Set ${nameOf('client-id')} and ${nameOf('client-secret')} too, or leave it empty.`);
        }
    }
    const apiUrlText = inputs_text(raw, 'api-url');
    const apiUrl = apiUrlText === '' ? undefined : parseApiUrl(apiUrlText, message => problem('api-url', message));
    const cloud = isCloudSite(jiraUrl) || (auth?.mode === 'client-credentials' && auth.tokenUrl === CLOUD_TOKEN_URL);
    // collect() throws when auth is missing, so it is defined past this point.
    return { jiraUrl, apiUrl, cloud, auth: auth, warnings, ...parseNetwork(raw, problem) };
}
/**
 * A service account's OAuth 2.0 credential: the client id and secret, and the token endpoint
 * (Data Center's under jira-url, Atlassian's for a Cloud site) unless token-url names another.
 */
function parseClientCredentials(raw, nameOf, problem, jiraUrl, warnings) {
    const clientId = inputs_text(raw, 'client-id');
    const clientSecret = inputs_text(raw, 'client-secret');
    // An empty client id or secret was reported with the way to authenticate it belongs to.
    if (/[^\x21-\x7e]/.test(clientId))
        problem('client-id', 'holds a space, a line break or a character outside ASCII, which no client id has. Copy it again.');
    checkToken(raw, 'client-secret', problem);
    const scope = inputs_text(raw, 'scope');
    if (scope !== '' && !/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/.test(scope)) {
        problem('scope', `"${scope}" is not a list of scopes separated by single spaces (RFC 6749 §3.3), e.g. WRITE or READ WRITE.`);
    }
    const tokenUrlText = inputs_text(raw, 'token-url');
    let tokenUrl;
    if (tokenUrlText !== '') {
        tokenUrl = parseEndpointUrl(tokenUrlText, message => problem('token-url', message));
    }
    else {
        // Cloud sites are Atlassian's host names; anything else is taken for Data Center.
        tokenUrl = isCloudSite(jiraUrl) ? CLOUD_TOKEN_URL : jiraUrl && `${jiraUrl}/rest/oauth2/latest/token`;
    }
    if (tokenUrl.startsWith('http:') || (tokenUrlText === '' && jiraUrl.startsWith('http:'))) {
        warnings.push(`Client credentials over plain http send the client secret and the access tokens readable to anyone on the network; use https for ${nameOf('jira-url')} and ${nameOf('token-url')}.`);
    }
    const cloudTokens = tokenUrl === CLOUD_TOKEN_URL;
    return { mode: 'client-credentials', clientId, clientSecret, tokenUrl, ...(scope ? { scope } : {}), ...(cloudTokens ? { audience: CLOUD_AUDIENCE } : {}) };
}
/** api-url: an http(s) base URL with no query; the gateway's path is kept. */
function parseApiUrl(written, problem) {
    const url = parseEndpointUrl(written, problem);
    if (url === '')
        return undefined;
    if (/\/rest(\/|$)/.test(new URL(url).pathname)) {
        problem(`"${written}" goes as far as /rest. Give the base the REST paths go under, e.g. https://api.atlassian.com/ex/jira/{cloudId}.`);
        return undefined;
    }
    return url;
}
/** An http(s) URL checked as jira-url is, without a trailing slash; '' after a problem. */
function parseEndpointUrl(written, problem) {
    const url = parseHttpUrl(written, problem);
    return url ? `${url.origin}${url.pathname.replace(/\/+$/, '')}` : '';
}
function capitalize(text) {
    return text.charAt(0).toUpperCase() + text.slice(1);
}
/**
 * Tokens travel in an HTTP header: a line break, a space or a character outside ASCII there is
 * a paste gone wrong, which Node would refuse only after the request was built.
 */
function checkToken(raw, input, problem) {
    const value = inputs_text(raw, input);
    if (value !== '' && !/^[\x21-\x7e]+$/.test(value)) {
        problem(input, 'holds a line break, a space or a character outside ASCII, which no token has. Copy the token again, without quotes or line breaks.');
    }
    checkLength(raw, input, problem);
}
/** The most a credential that travels in a header may hold; Jira's own tokens are far shorter. */
const MAX_CREDENTIAL_BYTES = 8 * 1024;
/** A credential longer than any Jira makes is a wrong paste (a whole file, several values): refused unsent. */
function checkLength(raw, input, problem) {
    const bytes = Buffer.byteLength(inputs_text(raw, input), 'utf8');
    if (bytes > MAX_CREDENTIAL_BYTES) {
        problem(input, `is ${bytes.toLocaleString('en-US')} bytes long, more than the 8 KiB any credential Jira issues needs. Copy the value again, alone.`);
    }
}
/** What OAuth 1.0a over plain http gives away; the dance is worse, its answers carry tokens. */
function oauthOverHttp(nameOf) {
    return `OAuth over plain http shows the access token and every request's signature to anyone on the network, and JSON bodies are not signed, so a body can be changed on the way; use an https ${nameOf('jira-url')}.`;
}
function parseNetwork(raw, problem) {
    const whole = (input, fallback, min, max) => {
        const value = inputs_text(raw, input);
        const parsed = Number(value);
        if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
            problem(input, `"${value}" is not a whole number from ${min} to ${max}.`);
            return fallback;
        }
        return parsed;
    };
    const maxRetries = whole('max-retries', numericDefault('max-retries'), 0, 10);
    const timeoutSeconds = whole('timeout', numericDefault('timeout'), 1, 3600);
    const caText = inputs_text(raw, 'ca-certificate');
    if (caText === '')
        return { maxRetries, timeoutSeconds };
    const pems = [...caText.replace(/\\n/g, '\n').matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map(m => m[0]);
    if (pems.length === 0) {
        problem('ca-certificate', 'holds no PEM certificate. Pass the CA certificate(s) as PEM, each from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.');
        return { maxRetries, timeoutSeconds };
    }
    for (const [index, pem] of pems.entries()) {
        try {
            new external_node_crypto_namespaceObject.X509Certificate(pem);
        }
        catch {
            problem('ca-certificate', `certificate ${index + 1} of ${pems.length} does not parse: it looks truncated or altered. Copy the PEM file again.`);
        }
    }
    return { maxRetries, timeoutSeconds, caCertificates: pems };
}
function parseOAuth(raw, nameOf, problem, warnings) {
    // Empty inputs were reported with the way to authenticate they belong to.
    const consumerKey = inputs_text(raw, 'consumer-key');
    const accessToken = inputs_text(raw, 'access-token');
    if (/[^\x20-\x7e\u00a0-\u00ff]/.test(consumerKey))
        problem('consumer-key', 'holds a line break or a character outside Latin-1. Copy the consumer key of the application link again.');
    checkToken(raw, 'access-token', problem);
    checkLength(raw, 'consumer-key', problem);
    const privateKey = inputs_text(raw, 'private-key') === '' ? undefined : parsePrivateKey(raw, nameOf, problem, warnings);
    return privateKey ? { mode: 'oauth', consumerKey, privateKey, accessToken } : undefined;
}
/** Jira accepts whatever key its admin registered; below 1024 bits no key is worth signing with. */
const MIN_KEY_BITS = 1024;
const ADVISED_KEY_BITS = 2048;
function parsePrivateKey(raw, nameOf, problem, warnings) {
    const privateKeyText = raw['private-key'] ?? '';
    if (privateKeyText.trim() === '') {
        problem('private-key', `is empty. Use the RSA private key whose public key is on the application link. ${FORK_HINT}`);
        return undefined;
    }
    let key;
    try {
        key = loadPrivateKey(privateKeyText, raw['private-key-passphrase'] || undefined, nameOf('private-key-passphrase'));
    }
    catch (thrown) {
        if (!(thrown instanceof PrivateKeyError))
            throw thrown;
        const input = thrown.blamesPassphrase && raw['private-key-passphrase'] ? 'private-key-passphrase' : 'private-key';
        problem(input, `${thrown.reason} ${thrown.remedy}`);
        return undefined;
    }
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_KEY_BITS) {
        problem('private-key', `is a ${bits}-bit RSA key, too weak to sign with. Make a new key of ${ADVISED_KEY_BITS} bits or more (the keygen command) and register its public key on the application link.`);
        return undefined;
    }
    if (bits < ADVISED_KEY_BITS) {
        warnings.push(`The private key has ${bits} bits; ${ADVISED_KEY_BITS} or more is advised. Make a new key (the keygen command) and register its public key on the application link when you can.`);
    }
    return key;
}
/**
 * Checks jira-url is the base URL Jira knows itself by: http(s), no query, and not a REST or
 * page URL pasted from the browser. Returns it without a trailing slash.
 *
 * A user name or password is refused in every spelling the WHATWG URL parser (Node's, and
 * browsers') accepts: it skips any number of slashes and backslashes after http: (none at
 * all too), and silently removes tabs and line breaks anywhere. So control characters and
 * backslashes are refused first, then any '@'; no message ever repeats what stood before the
 * last '@'.
 */
function parseJiraUrl(written, problem) {
    if (written === '') {
        problem("is empty. Use Jira's base URL with its context path, e.g. https://jira.example.com/jira.");
        return '';
    }
    const url = parseHttpUrl(written, problem);
    if (!url)
        return '';
    const value = written;
    const path = url.pathname.replace(/\/+$/, '');
    const page = /\/(rest|plugins|browse|secure|projects|login\.jsp)(\/|$)/.exec(path);
    if (page) {
        problem(`"${value}" points inside Jira (${page[0].replace(/\/$/, '')}…). Use the base URL: ${url.origin}${path.slice(0, page.index)}.`);
        return '';
    }
    return `${url.origin}${path}`;
}
/**
 * An http(s) URL written the way everyone reads alike: one line, no user name or password (never
 * repeated), no backslash or space, scheme and host, no query or fragment. undefined after a problem.
 */
function parseHttpUrl(written, problem) {
    // Tabs and line breaks would be dropped by the parser, so what is sent would differ from what
    // was written; invisible format characters (a zero-width space) are as much a paste gone wrong.
    const hidden = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.exec(written);
    if (hidden) {
        const code = `U+${hidden[0].codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}`;
        problem(`holds a control or invisible character (${code} at position ${hidden.index + 1}), such as a line break or a tab. Write the URL on one line, without them.`);
        return undefined;
    }
    const at = written.lastIndexOf('@');
    if (at >= 0) {
        // Whatever stood before the last '@' may be a password: only what follows is shown.
        const scheme = /^\s*([a-z][a-z0-9+.-]*):/i.exec(written)?.[1]?.toLowerCase() ?? 'https';
        problem(`must not contain a user name or password (it holds an '@'). Pass credentials through their own inputs, and Jira's base URL alone, e.g. ${scheme}://${written.slice(at + 1)}.`);
        return undefined;
    }
    if (written.includes('\\')) {
        problem(`"${written}" holds a backslash. Write the URL with forward slashes, e.g. ${written.replace(/\\/g, '/')}.`);
        return undefined;
    }
    const value = written;
    if (/\s/.test(value)) {
        problem(`"${value}" holds a space. Write the URL without spaces; percent-encode one that belongs to the context path (%20).`);
        return undefined;
    }
    let url;
    try {
        url = new URL(value);
    }
    catch {
        problem(`"${value}" is not a URL. Write it with its scheme, e.g. https://${value.replace(/^\/+/, '')}.`);
        return undefined;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        problem(`"${value}" must start with https:// or http://.`);
        return undefined;
    }
    // The parser also takes http:host and http:///host; only the spelling everyone reads alike is.
    if (!/^https?:\/\/[^/]/i.test(value)) {
        problem(`"${value}" must start with ${url.protocol}// and the host name. Write it as ${url.origin}${url.pathname.replace(/\/+$/, '')}.`);
        return undefined;
    }
    if (url.username !== '' || url.password !== '') {
        problem('must not contain a user name or password. Pass credentials through their own inputs.');
        return undefined;
    }
    if (url.search || url.hash || value.includes('?') || value.includes('#')) {
        problem(`"${value}" has a query or fragment. Use the base URL alone: ${url.origin}${url.pathname.replace(/\/+$/, '')}.`);
        return undefined;
    }
    return url;
}
/** Field values nest a few levels at most ({"update": {"labels": [{"add": "x"}]}}). */
const MAX_FIELDS_DEPTH = 32;
function parseFieldsJson(value, problem) {
    if (value === '')
        return undefined;
    if (jsonDepth(value) > MAX_FIELDS_DEPTH) {
        problem(`nests deeper than ${MAX_FIELDS_DEPTH} levels; no Jira field value does. Pass an object of field ids to values, such as {"labels": ["ci"]}.`);
        return undefined;
    }
    let parsed;
    try {
        parsed = JSON.parse(value);
    }
    catch (thrown) {
        const detail = messageOf(thrown);
        problem(`is not valid JSON (${detail}). Pass an object such as {"customfield_10314": {"value": "Build Passed"}}.`);
        return undefined;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        problem('must be a JSON object of field ids to values, such as {"labels": ["ci"]}.');
        return undefined;
    }
    return parsed;
}
/** How deep brackets nest in JSON text, strings skipped; counted before parsing anything deep. */
function jsonDepth(text) {
    let depth = 0;
    let deepest = 0;
    let inString = false;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (inString) {
            if (c === '\\')
                i++;
            else if (c === '"')
                inString = false;
        }
        else if (c === '"')
            inString = true;
        else if (c === '{' || c === '[')
            deepest = Math.max(deepest, ++depth);
        else if (c === '}' || c === ']')
            depth--;
    }
    return deepest;
}
/** Parses a YAML 1.2 core boolean as the Actions toolkit does; empty means the default. */
function parseBoolean(value, fallback, problem) {
    const trimmed = (value ?? '').trim();
    if (trimmed === '')
        return fallback;
    if (['true', 'True', 'TRUE'].includes(trimmed))
        return true;
    if (['false', 'False', 'FALSE'].includes(trimmed))
        return false;
    problem(`"${trimmed}" is not a boolean. Use 'true' or 'false'.`);
    return fallback;
}

;// CONCATENATED MODULE: ./src/report/outcome.ts

/** Outcomes that leave the issue as asked. */
function succeeded(outcome) {
    return outcome === 'updated' || outcome === 'unchanged' || outcome === 'dry-run';
}
/** Change outcomes that wrote to Jira. */
const WRITE_OUTCOMES = new Set(['set', 'added', 'removed', 'updated', 'posted']);
/** Whether anything was written to the issue, even when a later change failed. */
function wrote(result) {
    return result.changes.some(change => WRITE_OUTCOMES.has(change.outcome));
}
// The run's result names the failure a user must deal with first: a cancel or lockout or bad
// credentials block every issue, a missing permission or issue only some.
const PRIORITY = ['cancelled', 'captcha', 'unauthorized', 'forbidden', 'error', 'not-found', 'invalid'];
/** Folds per-issue results into the outputs: updated, unchanged and failed keys and one result. */
function summarizeResults(results) {
    const keysWith = (test) => results.filter(r => test(r.outcome)).map(r => r.issueKey);
    // A skipped issue follows from another's failure: that failure names the run.
    const kinds = new Set(results.map(r => runResultOf(r.outcome)).filter((_, i) => results[i].outcome !== 'skipped'));
    if (results.some(r => r.outcome === 'skipped') && !PRIORITY.some(kind => kinds.has(kind)))
        kinds.add('error');
    const result = PRIORITY.find(kind => kinds.has(kind)) ??
        (kinds.has('dry-run') ? 'dry-run' : kinds.has('updated') ? 'updated' : kinds.has('unchanged') ? 'unchanged' : 'no-issues');
    return {
        results,
        // Any write counts, so a later step knows which issues Jira changed, even partly.
        updated: results.filter(wrote).map(r => r.issueKey),
        unchanged: keysWith(outcome => outcome === 'unchanged'),
        failed: keysWith(outcome => !succeeded(outcome)),
        result
    };
}
/** The report of a run that failed before any issue: no issue found, or a lookup refused. */
function failedRun(error, result) {
    return { results: [], updated: [], unchanged: [], failed: [], result, error };
}
/** The report of a run that sent nothing because no credential was configured. */
function noCredentialsRun(message) {
    return failedRun(new JiraError('error', message, ''), 'no-credentials');
}
/** The annotation title of a failure of the run as a whole. */
function runErrorTitle(result) {
    return result === 'no-issues' ? 'No Jira issue found' : result === 'no-credentials' ? 'No Jira credentials' : 'Jira request failed';
}
/** The run result an issue's outcome counts as. */
function runResultOf(outcome) {
    switch (outcome) {
        case 'network':
        case 'skipped':
            return 'error';
        case 'wrong-url':
            return 'invalid';
        default:
            return outcome;
    }
}
/** Decides, once for the action and the CLI, whether a run failed and what to say of it. */
function verdictOf(report) {
    const failures = report.results.filter(result => !succeeded(result.outcome));
    if (report.error) {
        const what = report.result === 'no-credentials' ? 'nothing was sent to Jira' : 'no issue updated';
        return { failed: true, headline: `result=${report.result}: ${what}` };
    }
    if (failures.length > 0)
        return { failed: true, headline: `result=${report.result}: ${failures.length} of ${report.results.length} issue(s) not updated` };
    const written = report.result === 'dry-run' ? ', nothing written (dry run)' : '';
    return { failed: false, headline: `result=${report.result}: ${report.updated.length} updated, ${report.unchanged.length} unchanged${written}` };
}
/** Exit codes: 0 done, 1 Jira refused or failed, 2 bad usage or bad input, 130 cancelled. */
const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 };
/**
 * The exit code of an update run: failures count only when fail-on-error is on, but a
 * cancelled run did not do what it was asked, whatever fail-on-error says.
 */
function exitCodeOf(report, failOnError) {
    if (report.result === 'cancelled')
        return EXIT.cancelled;
    if (!verdictOf(report).failed || !failOnError)
        return EXIT.ok;
    return report.result === 'no-credentials' ? EXIT.usage : EXIT.failed;
}
/** One line that says what happened to an issue and to each change, and for a failure what to do. */
function describeResult(result) {
    const changes = result.changes.map(describeChange).join(', ');
    switch (result.outcome) {
        case 'updated':
            return `${result.issueKey}: updated ${changes}`;
        case 'unchanged':
            return `${result.issueKey}: unchanged, ${changes}`;
        case 'dry-run':
            return `${result.issueKey}: would update ${changes} (dry run)`;
        case 'skipped':
            return `${result.issueKey}: skipped, not attempted after an earlier request failed in a way every request would (more attempts could add to the failed-login count)`;
        case 'cancelled':
            return `${result.issueKey}: cancelled before it finished${written(result)}`;
        default:
            return `${result.issueKey}: ${result.error?.message ?? result.outcome}${written(result)}`;
    }
}
/** What was written to an issue that then failed or was cancelled: a later step may need to know. */
function written(result) {
    const writes = result.changes.filter(change => WRITE_OUTCOMES.has(change.outcome)).map(describeChange);
    return writes.length > 0 ? ` Already written: ${writes.join(', ')}.` : '';
}
/** How a change reads: "Build Result = Build Passed", "Labels += ci-success", "remote link \"Build #57\"". */
function changeText(change) {
    const value = change.value ?? '';
    switch (change.action) {
        case 'set':
            return `${change.target} = ${value}`;
        case 'add':
            return `${change.target} += ${value}`;
        case 'remove':
            return `${change.target} -= ${value}`;
        case 'link':
            return `remote link "${value}"`;
        case 'comment':
            return 'comment';
    }
}
/** A change and its outcome for people, e.g. "Labels += ci-success", "comment posted", "Labels -= x (not there)". */
function describeChange(change) {
    const text = changeText(change);
    const why = change.reason ? ` (${change.reason})` : '';
    switch (change.outcome) {
        case 'unchanged':
            return change.action === 'remove' ? `${text} (not there)` : `${text} already`;
        case 'set':
        case 'dry-run':
            return change.action === 'comment' ? `${text} to post` : text;
        case 'added':
        case 'removed':
            return change.action === 'link' ? `${text} ${change.outcome}` : text;
        default:
            return `${text} ${change.outcome}${why}`;
    }
}
/** The annotation title for a failed result. */
function resultTitle(result) {
    if (result.outcome === 'skipped' || result.outcome === 'cancelled')
        return `Not attempted (${result.issueKey})`;
    const kind = result.error?.kind ?? 'error';
    return `${FAILURE_TITLES[kind]} (${result.issueKey})`;
}
/** A field value as people write it: option values unwrapped, lists joined. */
function displayValue(value) {
    if (Array.isArray(value))
        return value.map(displayValue).join(', ');
    if (value && typeof value === 'object') {
        const record = value;
        for (const key of ['value', 'name', 'id', 'accountId'])
            if (typeof record[key] === 'string')
                return record[key];
        return JSON.stringify(value);
    }
    return String(value);
}

;// CONCATENATED MODULE: ./src/report/sink.ts


/** A debug line holds at most this many bytes as written. */
const DEBUG_BYTES = 4096;
/** An annotation (warning, error) holds at most this many bytes as written, title included. */
const ANNOTATION_BYTES = 4096;
/** A log message holds at most this many characters. */
const INFO_CHARS = 16 * 1024;
/** A job summary holds at most this many bytes (GitHub's limit is 1 MiB). */
const SUMMARY_BYTES = 64 * 1024;
// Every character the runner reads as a line break (.NET's ReadLine: \r, \n, \r\n) and every
// other that a reader may: VT, FF, NEL, LS, PS.
const LINE_BREAKS = /\r\n|[\n\r\u000b\u000c\u0085\u2028\u2029]/g;
// Whitespace as .NET's Trim sees it (JavaScript's \s misses U+0085).
const LEADING_SPACE = /^[\s\u0085\u180e]*/;
// Characters .NET's culture-sensitive StartsWith and IndexOf skip on ICU (a soft hyphen inside
// "##[" still finds it).
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
const sink_ANSI = /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]?/g;
// Controls other than tab and line feed, and bidirectional overrides, which make a line read
// other than it is.
const CONTROLS = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
/** Text with ANSI sequences and control characters gone and every line break written \n. */
function plainText(text) {
    return text.replace(sink_ANSI, '').replace(LINE_BREAKS, '\n').replace(CONTROLS, '\ufffd');
}
/** Whether the runner could read a command in a line: `::` after .NET whitespace, or `##[` anywhere, ignorables aside. */
function looksLikeCommand(line) {
    const visible = line.replace(IGNORABLE, '');
    return visible.replace(LEADING_SPACE, '').startsWith('::') || visible.includes('##[');
}
/**
 * Lines for the log, never workflow commands: plain text in which a line would read as a
 * command (`::` after any whitespace the runner trims, `##[` anywhere) is fenced with
 * stop-commands and a token no one can guess.
 */
function inertText(text) {
    const plain = plainText(text);
    if (!plain.split('\n').some(looksLikeCommand))
        return plain;
    const token = (0,external_node_crypto_namespaceObject.randomUUID)();
    return `::stop-commands::${token}\n${plain}\n::${token}::`;
}
/** The size of a text as a workflow command writes it: UTF-8, with %, CR and LF escaped (and more in properties). */
function escapedBytes(text, escaped) {
    return Buffer.byteLength(text) + 2 * (text.match(escaped) ?? []).length;
}
/** A text cut so that, as written, it holds at most `max` bytes. */
function capBytes(text, max, escaped) {
    if (escapedBytes(text, escaped) <= max)
        return text;
    let used = 0;
    let out = '';
    for (const char of text) {
        const cost = escapedBytes(char, escaped);
        if (used + cost > max - 3)
            break;
        used += cost;
        out += char;
    }
    return `${out}…`;
}
const DATA_ESCAPED = /[%\r\n]/g;
const PROPERTY_ESCAPED = /[%\r\n:,]/g;
const PROCESS_CONSOLE = {
    stdout: text => process.stdout.write(`${text}\n`),
    stderr: text => process.stderr.write(`${text}\n`)
};
/**
 * The action's sink over @actions/core, passed in by the action's edge (so the CLI's bundle
 * never loads it), function by function (so the bundle keeps only what is used).
 */
function actionSink(core, { summaryFile, redactor = new redact_Redactor() } = {}) {
    const redactors = [redactor];
    const scrub = (text, marker) => redactors.reduce((clean, r) => r.scrub(clean, marker), text);
    const data = (text, max) => capBytes(plainText(scrub(text)), max, DATA_ESCAPED);
    const title = (text) => capBytes(plainText(scrub(text)).replace(/\n/g, ' '), 200, PROPERTY_ESCAPED);
    const annotation = (message, heading) => {
        const properties = heading ? { title: title(heading) } : {};
        const room = ANNOTATION_BYTES - 64 - (properties.title ? escapedBytes(properties.title, PROPERTY_ESCAPED) : 0);
        return [data(message, room), properties];
    };
    return {
        log: {
            debug: message => core.debug(data(message, DEBUG_BYTES - 16)),
            info: message => core.info(inertText(cap(scrub(message), INFO_CHARS))),
            warning: (message, heading) => core.warning(...annotation(message, heading)),
            error: (message, heading) => core.error(...annotation(message, heading))
        },
        clean: text => scrub(text),
        protect: more => redactors.push(more),
        mask: value => core.setSecret(value),
        output: (name, value) => core.setOutput(name, plainText(scrub(value)).replace(/\n/g, ' ')),
        summary: async (markdown) => {
            if (!summaryFile)
                return;
            await core.summary.addRaw(capSummary(scrub(markdown, '\\*\\*\\*'))).write();
        },
        fail: message => core.setFailed(annotation(message)[0])
    };
}
/** A job summary cut, at a line, to fit SUMMARY_BYTES. */
function capSummary(markdown) {
    if (Buffer.byteLength(markdown) <= SUMMARY_BYTES)
        return markdown;
    const note = '\n\n*The summary was cut here: it would have been larger than 64 KiB. The outputs and the log have every issue.*\n';
    let out = '';
    for (const line of markdown.split('\n')) {
        if (Buffer.byteLength(out) + Buffer.byteLength(line) + 1 + Buffer.byteLength(note) > SUMMARY_BYTES)
            break;
        out += `${line}\n`;
    }
    return `${out}${note}`;
}
/** The CLI's sink over stdout and stderr. */
function cliSink(redactor = new Redactor(), console = PROCESS_CONSOLE) {
    const redactors = [redactor];
    const scrub = (text) => redactors.reduce((clean, r) => r.scrub(clean), text);
    return {
        out: text => console.stdout(inertText(scrub(text))),
        err: (text, max = INFO_CHARS) => console.stderr(inertText(capBytes(scrub(text), max, DATA_ESCAPED))),
        prompt: text => process.stderr.write(plainText(scrub(text)).replace(/\n/g, ' ')),
        protect: more => redactors.push(more)
    };
}
/**
 * One JSON line that no reader can take for more: line separators and C1 controls (which
 * JSON.stringify leaves as they are) written as \u escapes, and `##[` broken up the same way.
 */
function jsonLine(value) {
    return JSON.stringify(value)
        .replace(/[\u007f-\u009f\u2028\u2029]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
        .replace(/##\[/g, '#\\u0023[');
}

;// CONCATENATED MODULE: ./src/report/summary.ts


const OUTCOME_ICONS = {
    set: '✅',
    added: '✅',
    removed: '✅',
    updated: '✅',
    posted: '✅',
    unchanged: '✅',
    'dry-run': '📝',
    skipped: '⏭️',
    cancelled: '⏹️'
};
/** What the summary's text may take, so the whole stays under the sink's 64 KiB whatever Jira answers. */
const BUDGET_CHARS = 56 * 1024;
/** The most one cell or remedy shows; a comment's cell shows its start. */
const CELL_CHARS = 300;
const COMMENT_CHARS = 120;
const MESSAGE_CHARS = 1000;
/**
 * The job summary: a table with a row for each change on each issue (the field as the user
 * named it, the link, the comment), the change and its own outcome, then the remedy for each
 * failure.
 * Every text passes `clean` (the sink's redaction) first, is cut, and only then escaped: Jira's
 * error text, keys and values (a branch name an outsider chose fills {ref}) must not become
 * Markdown or HTML, and an escape must not split a secret before it is found. Past a budget
 * the rest of the rows are counted, not listed.
 */
function summaryMarkdown(report, jiraUrl, clean = text => text) {
    const text = (value, max = CELL_CHARS) => escapeMarkdown(cap(plainText(clean(value)), max));
    const lines = [`### Jira build result: ${text(report.result)}`, ''];
    let size = 0;
    const add = (line) => {
        if (size + line.length > BUDGET_CHARS)
            return false;
        size += line.length + 1;
        lines.push(line);
        return true;
    };
    if (report.error && add(text(report.error.message, MESSAGE_CHARS)))
        lines.push('');
    if (report.results.length > 0) {
        lines.push('| Issue | Field, link or comment | Change | Outcome |', '| --- | --- | --- | --- |');
        const shown = report.results.findIndex(result => !rows(result, jiraUrl, text).every(add));
        if (shown >= 0)
            lines.push('', `*${(report.results.length - shown).toLocaleString('en-US')} more issue(s) not listed here: the outputs have every key.*`);
    }
    const failures = report.results.filter((result) => result.error);
    if (failures.length > 0) {
        lines.push('', '#### What to do', '');
        const shown = failures.findIndex(result => !add(`- **${text(result.issueKey)}** (${result.outcome}): ${text(result.error?.message ?? '', MESSAGE_CHARS)}`));
        if (shown >= 0)
            lines.push('', `*${(failures.length - shown).toLocaleString('en-US')} more failure(s) not listed here: the log has each.*`);
    }
    return `${lines.join('\n')}\n`;
}
function rows(result, jiraUrl, text) {
    const link = `[${text(result.issueKey)}](${jiraUrl}/browse/${encodeURIComponent(result.issueKey)})`;
    // An issue not attempted has no changes: one row says so.
    if (result.changes.length === 0)
        return [`| ${link} | — | — | ${icon(result.outcome)} ${result.outcome} |`];
    return result.changes.map(change => `| ${link} | ${text(change.target)} | ${changeCell(change, text)} | ${outcomeCell(change, text)} |`);
}
function changeCell(change, text) {
    const operator = { set: '= ', add: '+= ', remove: '-= ', link: '', comment: '' }[change.action];
    return text(`${operator}${change.value ?? '—'}`, change.action === 'comment' ? COMMENT_CHARS : CELL_CHARS);
}
function outcomeCell(change, text) {
    return `${icon(change.outcome)} ${change.outcome}${change.reason ? `: ${text(change.reason)}` : ''}`;
}
function icon(outcome) {
    return OUTCOME_ICONS[outcome] ?? '❌';
}
/**
 * Text as it reads, never as Markdown or HTML: what opens a link, an image, code, emphasis or
 * a table cell is backslash-escaped (an underscore inside a word, as in customfield_10314,
 * means nothing and stays), angle brackets and ampersands become entities, and line breaks
 * become spaces.
 */
function escapeMarkdown(text) {
    return (text
        // eslint-disable-next-line no-control-regex -- every line break a reader may honour
        .replace(/\r\n|[\n\r\u000b\u000c\u0085\u2028\u2029]/g, ' ')
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/[\\`*[\]|~]/g, c => `\\${c}`)
        .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\\_'));
}

;// CONCATENATED MODULE: external "node:events"
const external_node_events_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:events");
;// CONCATENATED MODULE: ./src/jira/limiter.ts
/**
 * An adaptive limit shared by every request of a client: Jira's rate limits (Cloud's burst
 * limit, Data Center's per-user limit) count the requests of the whole run, whoever schedules
 * them. Nothing is limited until Jira answers 429. Then every request waits until the time the
 * answer named, fewer go at once (the limit halves), and sends are spaced by the pace Jira was
 * accepting. After a run of answers without a 429, the limit rises and the spacing shrinks
 * again, one small step at a time.
 */
/** The most requests in flight when nothing says less; the concurrency input stops at 16 too. */
const MAX_IN_FLIGHT = 16;
/** Answers without a 429 before the limit rises by one and the spacing shrinks a step. */
const RISE_AFTER = 8;
/** Each step up sends a twentieth faster; each 429 spaces sends half as far again. */
const SPACING_SHRINK = 0.95;
const SPACING_GROWTH = 1.5;
/** How far above a spacing that met a 429 the spacing stays: probing that pace again only costs more 429s. */
const TOO_CLOSE_MARGIN = 1.05;
/**
 * The pace learnt at a 429 is widened by this much: the requests counted in the last second
 * include the burst Jira allowed at first, so they overstate the pace it allows from then on.
 */
const LEARN_MARGIN = 1.3;
/** Spacing is learnt from at most this much time: a 429 names the wait for one request, not a pace. */
const MAX_SPACING_MS = 1000;
/** How far back accepted requests are counted to learn the pace Jira allows. */
const PACE_WINDOW_MS = 1000;
class RateLimiter {
    clock;
    max;
    limit;
    inFlight = 0;
    waiting = [];
    /** No request is sent before this time: the latest Retry-After or X-RateLimit-Reset. */
    notBefore = 0;
    /** The earliest time the next request may be sent, given the spacing. */
    nextSendAt = 0;
    spacing = 0;
    /** The spacing a 429 last came at: too close, so the spacing never narrows to it again. */
    tooClose = 0;
    /** Slots taken so far; a 429 to a slot taken before the last lowering is already answered for. */
    serial = 0;
    loweredAtSerial = -1;
    sinceLimited = 0;
    limitedCount = 0;
    lowest;
    /** When recent accepted answers came, to learn the pace Jira allows. */
    accepted = [];
    constructor(clock, max = MAX_IN_FLIGHT) {
        this.clock = clock;
        this.max = max;
        this.limit = max;
        this.lowest = max;
    }
    get stats() {
        return { limited: this.limitedCount, lowest: this.lowest, limit: this.limit, spacingMs: Math.round(this.spacing) };
    }
    /**
     * Waits for a slot within the limit, for the time the last 429 named, and for its turn in the
     * spacing. Rejects, holding nothing, when the signal aborts during the wait.
     */
    async acquire(signal) {
        while (this.inFlight >= this.limit)
            await new Promise(resolve => this.waiting.push(resolve));
        this.inFlight++;
        try {
            // The time named may move on while waiting: another 429 arrived meanwhile.
            for (let wait = this.notBefore - this.clock.now(); wait > 0; wait = this.notBefore - this.clock.now())
                await this.clock.sleep(wait, signal);
            if (this.spacing > 0) {
                const now = this.clock.now();
                const at = Math.max(now, this.nextSendAt);
                this.nextSendAt = at + this.spacing;
                if (at > now)
                    await this.clock.sleep(at - now, signal);
            }
        }
        catch (thrown) {
            this.free();
            throw thrown;
        }
        return { serial: this.serial++ };
    }
    /** Gives the slot back after an answer other than 429, or after a failure to get one. */
    release(_slot) {
        const now = this.clock.now();
        this.accepted.push(now);
        while (this.accepted.length > 0 && this.accepted[0] <= now - PACE_WINDOW_MS)
            this.accepted.shift();
        this.free();
        if (++this.sinceLimited >= RISE_AFTER) {
            this.sinceLimited = 0;
            if (this.limit < this.max)
                this.limit++;
            const narrower = this.spacing * SPACING_SHRINK;
            this.spacing = narrower < 1 ? 0 : Math.max(narrower, this.tooClose * TOO_CLOSE_MARGIN);
            this.wake();
        }
    }
    /**
     * Gives the slot back after a 429: nothing is sent before `retryAt`, and, once for all the
     * requests already in flight when the first 429 came, the limit halves and sends are spaced.
     */
    limited(slot, retryAt) {
        const now = this.clock.now();
        this.limitedCount++;
        this.sinceLimited = 0;
        this.notBefore = Math.max(this.notBefore, retryAt);
        if (slot.serial >= this.loweredAtSerial) {
            this.limit = Math.max(1, Math.floor(Math.min(this.limit, this.inFlight) / 2));
            this.lowest = Math.min(this.lowest, this.limit);
            this.loweredAtSerial = this.serial;
            // The pace Jira accepted over the last second, or the wait it named if that is shorter
            // (Cloud's X-RateLimit-Reset names when the next request is welcome).
            this.accepted = this.accepted.filter(at => at > now - PACE_WINDOW_MS);
            const pace = PACE_WINDOW_MS / Math.max(1, this.accepted.length);
            const learnt = Math.min(MAX_SPACING_MS, Math.max(1, retryAt - now), pace) * LEARN_MARGIN;
            this.tooClose = Math.max(this.tooClose, this.spacing);
            this.spacing = Math.min(MAX_SPACING_MS, Math.max(this.spacing * SPACING_GROWTH, learnt));
            this.nextSendAt = Math.max(this.nextSendAt, this.notBefore);
        }
        this.free();
    }
    free() {
        this.inFlight--;
        this.wake();
    }
    /** Wakes every waiting request; each checks the limit again, so none goes over it (at most 16 wait). */
    wake() {
        if (this.inFlight >= this.limit)
            return;
        for (const resume of this.waiting.splice(0))
            resume();
    }
}

;// CONCATENATED MODULE: ./src/jira/signature.ts
/**
 * Pinpoints a signature_invalid: Jira sends the base string it computed, so comparing it part
 * by part with the one the request was signed over says which part differs. Pure.
 */
// Parameters whose values are secrets or prove possession of one: named, never shown.
const HIDDEN_VALUES = new Set(['oauth_token', 'oauth_verifier', 'oauth_signature']);
/** Splits `METHOD&enc(url)&enc(params)` into its parts, decoded; undefined when it is not one. */
function parseBaseString(baseString) {
    const [method, url, params, ...rest] = baseString.trim().split('&');
    if (rest.length > 0 || params === undefined)
        return undefined;
    try {
        const pairs = new Map();
        const normalized = decodeURIComponent(params);
        for (const pair of normalized === '' ? [] : normalized.split('&')) {
            const at = pair.indexOf('=');
            const name = decodeURIComponent(at < 0 ? pair : pair.slice(0, at));
            const value = at < 0 ? '' : decodeURIComponent(pair.slice(at + 1));
            pairs.set(name, [...(pairs.get(name) ?? []), value]);
        }
        return { method, url: decodeURIComponent(url), params: pairs };
    }
    catch {
        return undefined;
    }
}
/** Compares the base string this request was signed over with Jira's own. */
function compareBaseStrings(ours, theirs) {
    const mine = parseBaseString(ours);
    const jira = parseBaseString(theirs);
    if (!mine || !jira)
        return undefined;
    if (mine.method !== jira.method)
        return { differs: 'method', ours: mine.method, theirs: jira.method };
    if (mine.url !== jira.url)
        return { differs: 'url', ours: mine.url, theirs: jira.url };
    const names = [...new Set([...mine.params.keys(), ...jira.params.keys()])].sort();
    for (const name of names) {
        const a = (mine.params.get(name) ?? []).join(', ');
        const b = (jira.params.get(name) ?? []).join(', ');
        if (a === b)
            continue;
        const shown = (present, value) => (!present ? undefined : HIDDEN_VALUES.has(name) ? '***' : value);
        return { differs: 'parameter', name, ours: shown(mine.params.has(name), a), theirs: shown(jira.params.has(name), b) };
    }
    return { differs: 'nothing' };
}
/**
 * The base URL Jira knows itself by, from the URL it signed over: the request's path under
 * jira-url taken off the end. Undefined when the paths do not line up.
 */
function jiraBaseUrlFrom(theirUrl, ourUrl, ourBaseUrl) {
    try {
        const suffix = new URL(ourUrl).pathname.slice(new URL(ourBaseUrl).pathname.replace(/\/$/, '').length);
        if (suffix === '' || !theirUrl.endsWith(suffix))
            return undefined;
        return theirUrl.slice(0, -suffix.length);
    }
    catch {
        return undefined;
    }
}

;// CONCATENATED MODULE: ./src/jira/diagnose.ts




/** Usual causes of each oauth_problem net.oauth (Jira's OAuth provider) reports. */
function oauthProblemAdvice(problem, words) {
    const accessToken = words.input('access-token');
    const consumerKey = words.input('consumer-key');
    const advice = {
        token_rejected: `The access token is unknown to this Jira: it was revoked, never authorized, or comes from another Jira. Run the OAuth dance again and update ${accessToken}.`,
        token_revoked: `The access token was revoked in Jira. Run the OAuth dance again and update ${accessToken}.`,
        token_expired: `The access token expired (they last 5 years). Run the OAuth dance again and update ${accessToken}.`,
        token_used: 'The request token was already exchanged. Start the OAuth dance again from the request token.',
        signature_invalid: `The private key does not match the public key on Jira's application link, or ${words.input('jira-url')} differs from the URL Jira sees (a proxy, another host name, http instead of https, a missing context path). Check both.`,
        timestamp_refused: "The clock of this machine is more than 5 minutes off Jira's. Fix its time (NTP) or Jira's.",
        nonce_used: 'A nonce was reused within the same second. Run the step again.',
        consumer_key_unknown: `No application link in Jira has this consumer key. Check ${consumerKey} against the incoming authentication of the application link.`,
        consumer_key_rejected: 'Jira rejected the consumer key. Check the application link is enabled.',
        consumer_key_refused: 'Jira refused the consumer key. Check the application link is enabled.',
        permission_unknown: 'The access token is not authorized yet. Finish the OAuth dance: approve the request token in the browser, then exchange it.',
        permission_denied: 'The user denied access to the application link. Run the OAuth dance again and approve it.',
        user_refused: 'The user refused the authorization. Run the OAuth dance again and approve it.',
        signature_method_rejected: 'Jira only accepts RSA-SHA1 for this application link.',
        version_rejected: 'Jira only accepts OAuth version 1.0.',
        parameter_absent: 'A required OAuth parameter was missing.',
        parameter_rejected: 'Jira rejected an OAuth parameter.',
        additional_authorization_required: 'The access token lacks the authorization this request needs. Run the OAuth dance again.'
    };
    return Object.hasOwn(advice, problem) ? advice[problem] : undefined;
}
/** Data Center's documented answer when basic auth is switched off. */
const BASIC_DISABLED = /basic authentication has been disabled/i;
/**
 * Classifies one Jira answer. Returns undefined when Jira did what was asked, and a
 * JiraError naming the failure and its remedy otherwise. Every answer is read, success
 * included: Jira can lock an account or fall back to anonymous on a 200. Every text taken
 * from the answer passes the redactor: proxies and error pages echo credentials.
 */
function diagnose(response, context = {}) {
    const { status, headers } = response;
    const { issueKey } = context;
    const redactor = context.redactor ?? new redact_Redactor();
    const words = context.words ?? ACTION_WORDS;
    const loginReason = headers['x-seraph-loginreason']?.split(',')[0].trim();
    const userName = headers['x-ausername'];
    const details = { issueKey, status, loginReason };
    if (loginReason === 'AUTHENTICATION_DENIED') {
        // Each part is taken from the header first, then passes the boundary on its own.
        const denied = headers['x-authentication-denied-reason'] ?? '';
        const rawLoginUrl = /login-url=(\S+)/.exec(denied)?.[1];
        const loginUrl = rawLoginUrl ? redactor.excerpt(rawLoginUrl, 200) : undefined;
        const deniedReason = redactor.excerpt(denied.split(';')[0], 80);
        const where = loginUrl ? ` at ${loginUrl}` : '';
        return new JiraError('captcha', `Jira locked the account behind a CAPTCHA after too many failed logins (${deniedReason || 'AUTHENTICATION_DENIED'}); no request will succeed until it is cleared.`, `Log in once in a browser${where} and solve the CAPTCHA, or ask a Jira admin to reset the user's failed login count. Then check the credentials before running again.`, { ...details, loginUrl });
    }
    const mode = context.credentials?.mode ?? 'oauth';
    const oauthProblem = findOAuthProblem(response);
    if (oauthProblem && mode !== 'oauth' && mode !== 'none') {
        // Jira's OAuth filter names a problem for any request it could not authenticate, OAuth or
        // not (parameter_absent: no OAuth signature at all). The credentials sent were not OAuth.
        const problem = redactor.excerpt(oauthProblem, 80);
        return new JiraError('unauthorized', `Jira did not accept ${credentialsNamed(mode)} (HTTP ${status}; its OAuth filter answered oauth_problem=${problem}, as it does for any request it could not authenticate).`, credentialsRemedy(context.credentials, words, status), { ...details, oauthProblem: problem });
    }
    if (oauthProblem) {
        const problem = redactor.excerpt(oauthProblem, 80);
        const advice = oauthProblemAdvice(oauthProblem, words) ?? 'Jira named this OAuth problem; see its logs for more.';
        const jiraBaseString = formField(response.body, 'oauth_signature_base_string');
        const reason = `Jira refused the OAuth signature: oauth_problem=${problem}.`;
        const debug = jiraBaseString ? `Jira's signature base string: ${redactor.redact(jiraBaseString)}` : undefined;
        const pinpointed = oauthProblem === 'signature_invalid' ? pinpointSignature(response, jiraBaseString, context, redactor, words) : undefined;
        return new JiraError('unauthorized', reason, pinpointed ?? advice, { ...details, oauthProblem: problem, debug });
    }
    const disabled = mode === 'basic' ? basicDisabled(response, context, redactor, words, details) : undefined;
    if (disabled)
        return disabled;
    if (loginReason === 'AUTHENTICATED_FAILED' || (userName === 'anonymous' && !context.anonymousExpected)) {
        const sign = loginReason === 'AUTHENTICATED_FAILED' ? 'X-Seraph-LoginReason: AUTHENTICATED_FAILED' : 'X-AUSERNAME: anonymous';
        return new JiraError('unauthorized', `Jira did not accept ${credentialsNamed(mode)} and answered as an anonymous user (HTTP ${status}, ${sign}), so what it says about the issue cannot be trusted.`, credentialsRemedy(context.credentials, words, status, loginReason), details);
    }
    if (status >= 200 && status < 300)
        return undefined;
    if (status >= 300 && status < 400) {
        const location = headers.location ? redactor.excerpt(headers.location, 200) : 'no Location header';
        const base = headers.location && context.signed?.url && context.signed.baseUrl
            ? jiraBaseUrlFrom(location.split('?')[0], context.signed.url, context.signed.baseUrl)
            : undefined;
        return new JiraError('wrong-url', `Jira redirected the request (HTTP ${status}) to ${location}.`, `An OAuth signature covers the URL, so redirects are not followed: set ${words.input('jira-url')} to ${base ?? 'the base URL Jira redirects to (the part before /rest or /plugins)'}.`, details);
    }
    const message = errorText(response, redactor);
    switch (status) {
        case 400:
            return new JiraError('invalid', `Jira rejected the request (HTTP 400): ${message}.`, 'Fix the field or value it names.', details);
        case 401:
            return new JiraError('unauthorized', `Jira answered 401 Unauthorized: ${message}.`, credentialsRemedy(context.credentials, words, status, loginReason), details);
        case 403:
            return new JiraError('forbidden', `Jira answered 403 Forbidden: ${message}.`, 'The user the credentials act as lacks the permission (Edit Issues on the project), or this auth mode is disabled on the instance.', details);
        case 404:
            if (!isJiraJson(response.body))
                return notJira(response, message, context, redactor, words);
            return new JiraError('not-found', `Jira answered 404 Not Found: ${message}.`, 'Check the issue key, and that the user can browse its project.', details);
        case 410:
            return new JiraError('error', `Jira answered 410 Gone: ${message}.`, 'This Jira no longer offers the endpoint.', details);
        case 429:
            return rateLimited(response, redactor, words, details);
        default:
            return new JiraError('error', `Jira answered HTTP ${status}: ${message}.`, status >= 500 ? 'Jira failed; try again later.' : '', details);
    }
}
/** How the credentials of a mode are named in a refusal. */
function credentialsNamed(mode) {
    switch (mode) {
        case 'pat':
            return 'the personal access token';
        case 'basic':
            return 'the user and API token (basic auth)';
        case 'client-credentials':
            return "the service account's access token (OAuth 2.0 client credentials)";
        default:
            return 'the credentials';
    }
}
/** What to check for a refusal of the credentials actually sent. */
function credentialsRemedy(sent, words, status, loginReason) {
    const mode = sent?.mode ?? 'oauth';
    switch (mode) {
        case 'pat':
            return `Check ${words.input('personal-access-token')}: it may have expired or been revoked (Profile → Personal Access Tokens), or belong to another Jira; personal access tokens need Data Center or Server 8.14 or later. ${words.checkCredentials}`;
        case 'basic': {
            const user = words.input('user');
            const apiToken = words.input('api-token');
            if (!sent?.cloud) {
                return `Check ${user} and ${apiToken}${loginReason === 'AUTHENTICATED_FAILED' ? ' (Jira tried them and they failed; a few more failures lock the account behind a CAPTCHA)' : ''}. On Data Center a personal access token or a service account is the better choice. ${words.checkCredentials}`;
            }
            const gateway = sent.gateway
                ? "Cloud's API gateway refused it too, so a scoped token is the less likely cause"
                : `scoped tokens work only through Cloud's API gateway: set ${words.input('api-url')} to https://api.atlassian.com/ex/jira/{cloudId} (or leave it empty and this tool tries the gateway)`;
            return `Check ${user} is the account's e-mail address. Two causes are likely for an API token on Jira Cloud (HTTP ${status}): the token is scoped (${gateway}); or it expired: API tokens created since December 2024 expire within a year. Create a new one at https://id.atlassian.com/manage-profile/security/api-tokens and update ${apiToken}.`;
        }
        case 'client-credentials':
            return `The token endpoint issued the token, but Jira refused it: check the service account is active and may use this Jira${sent?.cloud ? ` (on Cloud, REST calls go through the API gateway: check ${words.input('api-url')} if it is set)` : ''}, and ${words.input('client-id')} is the credential of the service account meant. ${words.checkCredentials}`;
        default:
            return `${words.checkCredentials} For OAuth, check that the access token was authorized and the application link allows user impersonation.`;
    }
}
/**
 * Basic auth switched off: Data Center's documented 403, or (reportedly Jira 11's default) a 401
 * with no Seraph reason, which means Jira tried no login at all, right token or not. Both come
 * as anonymous answers, so they are read before the anonymous fallback.
 */
function basicDisabled(response, context, redactor, words, details) {
    const message = response.status === 401 || response.status === 403 ? errorText(response, redactor) : '';
    if (response.status === 403 && BASIC_DISABLED.test(message)) {
        return new JiraError('unauthorized', `Jira has basic authentication disabled: ${message.replace(/\.$/, '')}.`, basicDisabledRemedy(words), details);
    }
    if (response.status === 401 && !context.credentials?.cloud && details.loginReason === undefined) {
        return new JiraError('unauthorized', `Jira answered 401 Unauthorized to basic auth without trying the user and token (no X-Seraph-LoginReason): ${message}. Basic auth is most likely disabled on this Jira.`, basicDisabledRemedy(words), details);
    }
    return undefined;
}
function basicDisabledRemedy(words) {
    return `Use a personal access token (${words.input('personal-access-token')}, Data Center 8.14+) or a service account (${words.input('client-id')} and ${words.input('client-secret')}) instead, or ask a Jira admin to allow basic auth for this user.`;
}
/** What Cloud's RateLimit-Reason values mean, for the message when retries ran out. */
const RATE_LIMIT_REASONS = {
    'jira-burst-based': 'too many requests in a short burst',
    'jira-quota-tenant-based': "the site's hourly quota is used up",
    'jira-quota-global-based': "Jira Cloud's global quota is used up",
    'jira-per-issue-on-write': 'writes to one issue came too fast'
};
function rateLimited(response, redactor, words, details) {
    const { headers } = response;
    const reasonHeader = headers['ratelimit-reason']?.trim();
    const reason = reasonHeader ? redactor.excerpt(reasonHeader, 60) : undefined;
    const meaning = reasonHeader && Object.hasOwn(RATE_LIMIT_REASONS, reasonHeader) ? `: ${RATE_LIMIT_REASONS[reasonHeader]}` : '';
    const waits = [
        headers['retry-after'] ? `Retry-After ${redactor.excerpt(headers['retry-after'], 40)}` : undefined,
        headers['x-ratelimit-reset'] ? `X-RateLimit-Reset ${redactor.excerpt(headers['x-ratelimit-reset'], 40)}` : undefined
    ].filter(Boolean);
    const remedy = reasonHeader === 'jira-per-issue-on-write'
        ? 'Space out updates of the same issue (one run per build, not one per step).'
        : reasonHeader?.startsWith('jira-quota')
            ? `Wait for the quota to reset, run the step less often, or ask an admin about the site's limits; raising ${words.input('max-retries')} or ${words.input('timeout')} lets a run wait longer.`
            : `Run fewer updates at once (${words.input('concurrency')}), raise ${words.input('max-retries')} or ${words.input('timeout')} to wait longer, or ask an admin to raise the limit for this user.`;
    return new JiraError('error', `Jira is rate limiting requests (HTTP 429${reason ? `, RateLimit-Reason ${reason}${meaning}` : ''}${waits.length > 0 ? `, ${waits.join(', ')}` : ''}) and retries ran out.`, remedy, details);
}
/**
 * Jira's REST API answers a missing issue with JSON errorMessages; anything else on a 404
 * (Tomcat's "HTTP Status 404 – Not Found", a proxy's page) means the URL is not Jira's REST API.
 */
function isJiraJson(body) {
    try {
        const parsed = JSON.parse(body);
        return parsed !== null && typeof parsed === 'object' && ('errorMessages' in parsed || 'errors' in parsed);
    }
    catch {
        return false;
    }
}
function notJira(response, message, context, redactor, words) {
    const jiraUrl = words.input('jira-url');
    const hint = baseUrlHint(response.body, context.signed?.url);
    const remedy = hint
        ? `The page names Jira at ${redactor.excerpt(hint, 200)}: set ${jiraUrl} to that.`
        : `Most often ${jiraUrl} lacks Jira's context path (such as /jira): use the base URL Jira shows under Administration → System → Base URL.`;
    return new JiraError('wrong-url', `${context.signed?.baseUrl ?? 'The URL'} is not Jira's REST API: it answered 404 with ${message}, not Jira's JSON.`, remedy, { issueKey: context.issueKey, status: response.status });
}
/** Jira's base URL as its own pages reveal it: a <base href>, or the link to its login page. */
function baseUrlHint(body, requestUrl) {
    const base = /<base\s[^>]*href=["']([^"']+)["']/i.exec(body)?.[1];
    const login = /href=["']([^"']*?)\/login\.jsp[^"']*["']/i.exec(body)?.[1];
    const found = base ?? (login !== undefined ? login || '/' : undefined);
    if (found === undefined)
        return undefined;
    try {
        const url = new URL(found, requestUrl);
        if (url.protocol !== 'http:' && url.protocol !== 'https:')
            return undefined;
        return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
    }
    catch {
        return undefined;
    }
}
/** Says which part of the signature Jira saw differently, from Jira's own base string. */
function pinpointSignature(response, jiraBaseString, context, redactor, words) {
    const ours = context.signed?.baseString;
    if (!jiraBaseString || !ours)
        return undefined;
    const verdict = compareBaseStrings(ours, jiraBaseString);
    if (!verdict)
        return undefined;
    const jiraUrl = words.input('jira-url');
    switch (verdict.differs) {
        case 'method':
            return `Jira saw the request as ${redactor.excerpt(verdict.theirs, 20)}, not ${verdict.ours}: a proxy between changes the method. Send Jira the request unchanged.`;
        case 'url': {
            const realm = /realm="([^"]*)"/.exec(response.headers['www-authenticate'] ?? '')?.[1];
            const fromRealm = realm ? safeDecode(realm) : undefined;
            const theirBase = (context.signed?.url && context.signed.baseUrl ? jiraBaseUrlFrom(verdict.theirs, context.signed.url, context.signed.baseUrl) : undefined) ??
                (fromRealm && /^https?:\/\//.test(fromRealm) ? fromRealm : undefined);
            const shown = redactor.excerpt(theirBase ?? verdict.theirs, 200);
            return `Jira signs over ${redactor.excerpt(verdict.theirs, 200)}, but this request was signed for ${verdict.ours}: a reverse proxy or another host name stands between. Set ${jiraUrl} to ${shown}, the URL Jira knows itself by.`;
        }
        case 'parameter': {
            const show = (value) => (value === undefined ? 'absent' : `"${redactor.excerpt(value, 80)}"`);
            return `Jira signs parameter ${redactor.excerpt(verdict.name, 60)} as ${show(verdict.theirs)}, but this request signed it as ${show(verdict.ours)}: something between changes the query or body. Send Jira the request unchanged.`;
        }
        case 'nothing':
            return `Jira computed the same base string, so the private key does not match the public key on the application link, for certain. The public key that belongs to the configured private key has SHA-256 fingerprint ${context.signed?.fingerprint?.() ?? 'unknown'}; compare it with the link's (openssl pkey -pubin -in public.pem -outform DER | sha256sum), then register the right public key or use the right private key.`;
    }
}
function safeDecode(text) {
    try {
        return decodeURIComponent(text);
    }
    catch {
        return undefined;
    }
}
/** The oauth_problem from WWW-Authenticate or from a form-encoded body. */
function findOAuthProblem(response) {
    const challenge = response.headers['www-authenticate'] ?? '';
    const fromHeader = /oauth_problem="([^"]*)"/.exec(challenge)?.[1];
    if (fromHeader)
        return safeDecode(fromHeader) ?? fromHeader;
    return formField(response.body, 'oauth_problem');
}
function formField(body, name) {
    if (!body.includes(`${name}=`) || body.trimStart().startsWith('<'))
        return undefined;
    try {
        return new URLSearchParams(body.trim()).get(name) ?? undefined;
    }
    catch {
        return undefined;
    }
}
/**
 * A short, human account of an error body: Jira's errorMessages and field errors, a JSON
 * message, or the title of an HTML page (never the page itself).
 */
function errorText(response, redactor = new redact_Redactor()) {
    return redactor.excerpt(rawErrorText(response));
}
function rawErrorText(response) {
    const body = response.body.trim();
    if (body === '')
        return 'no details in the answer';
    try {
        const parsed = JSON.parse(body);
        const parts = [];
        if (Array.isArray(parsed.errorMessages))
            for (const message of parsed.errorMessages)
                parts.push(String(message));
        if (parsed.errors && typeof parsed.errors === 'object') {
            for (const [field, text] of Object.entries(parsed.errors))
                parts.push(`${field}: ${String(text)}`);
        }
        if (typeof parsed.message === 'string')
            parts.push(parsed.message);
        if (parts.length > 0)
            return parts.join('; ').replace(/\s+/g, ' ');
    }
    catch {
        // not JSON; fall through
    }
    const title = htmlTitle(body);
    if (title !== undefined)
        return `an HTML page titled "${title}"`;
    // Plain text, such as a proxy's or a WAF's page: its start, on one line (then cut and redacted).
    return body.replace(/\s+/g, ' ');
}
/**
 * The title of an HTML page, whitespace collapsed, or undefined for a body that is not HTML.
 * Whole: it is cut only after the boundary has redacted it (a cut first could leave part of a
 * secret that no longer matches).
 */
function htmlTitle(body) {
    if (!/^\s*</.test(body))
        return undefined;
    const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(body)?.[1];
    return title === undefined ? 'untitled' : title.replace(/\s+/g, ' ').trim();
}

;// CONCATENATED MODULE: ./src/jira/client.ts







/** A policy of `maxRetries` retries within `timeoutSeconds` from now, on the real clock. */
function retryPolicy(maxRetries, timeoutSeconds, onRetry) {
    return {
        maxRetries,
        deadline: Date.now() + timeoutSeconds * 1000,
        now: Date.now,
        sleep: abortableSleep,
        random: Math.random,
        onRetry
    };
}
// Transient answers: rate limiting and a gateway or Jira node briefly down. A 401 or 403 is
// never among them: each retry would add to the failed-login count behind the CAPTCHA.
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);
const RETRYABLE_CODES = new Set([
    'ECONNRESET',
    'ERR_STREAM_PREMATURE_CLOSE',
    'HPE_INVALID_CONSTANT',
    'ECONNREFUSED',
    'ENOTFOUND',
    'EAI_AGAIN',
    'ETIMEDOUT',
    'ESOCKETTIMEDOUT',
    'EPIPE',
    'ECONNABORTED'
]);
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 10_000;
// Failures that happen before a single byte of the request left: nothing reached Jira.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);
/** A Jira REST client: builds URLs under the base URL, authorizes, sends and diagnoses. */
class JiraClient {
    baseUrl;
    auth;
    transport;
    retry;
    redactor;
    words;
    signal;
    route;
    limiter;
    cloud;
    urlInput;
    debug;
    /** `baseUrl` is jira-url, what people open; REST calls go where the context's route says. */
    constructor(baseUrl, auth, context) {
        this.baseUrl = baseUrl;
        this.auth = auth;
        this.transport = context.transport;
        this.retry = context.retry;
        this.redactor = context.redactor ?? new redact_Redactor();
        this.words = context.words ?? ACTION_WORDS;
        this.signal = context.signal;
        this.route = context.route ?? fixedRoute(baseUrl);
        this.limiter = context.limiter ?? new RateLimiter(this.retry);
        this.cloud = context.cloud ?? false;
        this.urlInput = context.urlInput ?? 'jira-url';
        this.debug = context.debug;
    }
    /** The full URL of a REST path as known now (context path or gateway included). */
    url(path, query) {
        return joinUrl(this.route.known, path, query);
    }
    /**
     * Sends one request and returns Jira's answer, whatever it is, retrying what is safe and
     * transient within the policy. Every attempt is signed afresh: a reused nonce is refused.
     * Every attempt passes the rate limiter. Network failures and the run's timeout throw JiraError.
     */
    async exchange(method, path, options) {
        const headers = { Accept: 'application/json' };
        let body;
        if (options.json !== undefined) {
            headers['Content-Type'] = 'application/json';
            body = JSON.stringify(options.json);
        }
        else if (options.form !== undefined) {
            headers['Content-Type'] = 'application/x-www-form-urlencoded';
            body = new URLSearchParams(options.form).toString();
        }
        const { retry } = this;
        // GETs read; a PUT of the same fields and an upsert by globalId are idempotent, so one
        // that reached Jira before its answer was lost does no harm when sent again. A token POST
        // that did reach Jira is refused on retry as token_used, which says to start the dance
        // again. A request that adds (a comment) is `never-after-sent`: retried only when Jira
        // certainly did not process it.
        const once = options.retry === 'never-after-sent';
        let retries = 0;
        let renewed = false;
        let rerouted = false;
        for (;;) {
            this.checkStopped();
            const remaining = retry.deadline - retry.now();
            if (remaining <= 0)
                throw this.timedOut(options.issueKey);
            const base = await this.route.base();
            const url = joinUrl(base, path, options.query);
            const slot = await this.takeSlot();
            let signed;
            let response;
            // Whether the request left: until then (a token still being fetched), a stop or failure
            // cannot have reached Jira, and a request that must not arrive twice may still be sent.
            let dispatched = false;
            // Ends this attempt at the time limit, so a request the run gave up on cannot land later.
            const attempt = new AbortController();
            try {
                signed = await this.auth.authorize({ method, url, form: options.form, oauthParams: options.oauthParams });
                if (signed.header === undefined)
                    delete headers.Authorization;
                else
                    headers.Authorization = signed.header;
                dispatched = true;
                response = await withDeadline(this.transport.send({ method, url, headers, body, signal: this.signal ? AbortSignal.any([this.signal, attempt.signal]) : attempt.signal }), retry.deadline - retry.now(), retry.timeLimit ?? realTimeLimit);
            }
            catch (thrown) {
                this.limiter.release(slot);
                if (!(thrown instanceof JiraError) && !(thrown instanceof Stopped))
                    this.debug?.(`${method} ${url} → no answer (${codeOf(thrown) ?? (thrown instanceof DeadlinePassed ? 'time limit' : 'error')})`);
                if (thrown instanceof DeadlinePassed) {
                    attempt.abort();
                    throw this.timedOut(options.issueKey, once);
                }
                // Stopped in flight: a request that must not arrive twice may have arrived once.
                if (this.signal?.aborted)
                    throw new Stopped(this.signal.reason, once && dispatched);
                if (thrown instanceof JiraError || thrown instanceof Stopped)
                    throw thrown;
                const notSent = !dispatched || NOT_SENT_CODES.has(codeOf(thrown) ?? '');
                // The gateway is api-url's, the token endpoint token-url's: the remedy names the input behind the URL.
                const error = networkError(thrown, base, this.words, options.issueKey, base === this.baseUrl ? this.urlInput : 'api-url', once && !notSent);
                const delay = backoff(retries, retry);
                if (retries < retry.maxRetries && isRetryableThrow(thrown) && (!once || notSent) && retry.now() + delay < retry.deadline) {
                    retries++;
                    retry.onRetry?.(`${method} ${path}: ${error.reason} Retrying in ${formatDelay(delay)} (${retries} of ${retry.maxRetries}).`);
                    await this.pause(delay);
                    continue;
                }
                throw error;
            }
            this.debug?.(`${method} ${url} → HTTP ${response.status}`);
            // A CAPTCHA can come with any status; retrying it only deepens the lockout.
            const captcha = response.headers['x-seraph-loginreason']?.includes('AUTHENTICATION_DENIED') === true;
            if (response.status === 429 && !captcha) {
                // Every request waits out the time named, and fewer go at once from now on.
                const delay = retryDelay(response, retries, retry);
                this.limiter.limited(slot, retry.now() + delay);
                if (retries < retry.maxRetries && retry.now() + delay < retry.deadline) {
                    retries++;
                    const reason = response.headers['ratelimit-reason'] ? `, ${this.redactor.excerpt(response.headers['ratelimit-reason'], 60)}` : '';
                    retry.onRetry?.(`${method} ${path}: HTTP 429${reason}. Retrying in ${formatDelay(delay)} (${retries} of ${retry.maxRetries}), with fewer requests at once.`);
                    continue;
                }
                return { response, baseString: signed.baseString, url };
            }
            this.limiter.release(slot);
            if (response.status === 401 && !captcha) {
                // A client-credentials token that expired during the run: one new token, one more try.
                if (!renewed && this.auth.renew?.(response, signed)) {
                    renewed = true;
                    retry.onRetry?.(`${method} ${path}: HTTP 401 to the access token; asking for a new one and sending the request again.`);
                    continue;
                }
                // Cloud with basic auth: a scoped API token works only through the API gateway.
                if (!rerouted && this.route.afterUnauthorized && (await this.route.afterUnauthorized(base)) !== undefined) {
                    rerouted = true;
                    continue;
                }
            }
            if (retries < retry.maxRetries && !captcha && RETRYABLE_STATUSES.has(response.status) && (!once || certainlyUnprocessed(response))) {
                const delay = retryDelay(response, retries, retry);
                if (retry.now() + delay < retry.deadline) {
                    retries++;
                    retry.onRetry?.(`${method} ${path}: HTTP ${response.status}. Retrying in ${formatDelay(delay)} (${retries} of ${retry.maxRetries}).`);
                    await this.pause(delay);
                    continue;
                }
            }
            return { response, baseString: signed.baseString, url, mayHaveArrived: once && mayHaveBeenProcessed(response) };
        }
    }
    /** A slot from the rate limiter; a stop while waiting for one throws Stopped. */
    async takeSlot() {
        try {
            return await this.limiter.acquire(this.signal);
        }
        catch (thrown) {
            this.checkStopped();
            throw thrown;
        }
    }
    /** Throws Stopped once the run's signal has aborted: nothing more is sent. */
    checkStopped() {
        if (this.signal?.aborted)
            throw new Stopped(this.signal.reason);
    }
    async pause(ms) {
        try {
            await this.retry.sleep(ms, this.signal);
        }
        catch {
            this.checkStopped();
        }
        this.checkStopped();
    }
    timedOut(issueKey, mayHaveArrived = false) {
        return new JiraError('network', `Jira did not answer within the run's time limit.`, `Raise ${this.words.input('timeout')} (seconds) if Jira is slow, or check that this machine can reach it.`, { issueKey, mayHaveArrived });
    }
    /**
     * Sends one request and returns its JSON answer (undefined for an empty one). Throws the
     * diagnosed JiraError when Jira refused, and says so when the answer is not JSON.
     */
    async json(method, path, options = {}, shape) {
        const response = await this.answer(method, path, options);
        const value = parseJson(response, this.url(path), this.redactor, this.words, options.issueKey);
        if (shape && value !== undefined) {
            // A shape that names the place an answer departs from it says so; one that cannot, says what it expected.
            const mismatch = shape.mismatch ? shape.mismatch(value) : shape.is(value) ? undefined : `the answer is not ${shape.name}`;
            if (mismatch !== undefined) {
                throw new JiraError('error', `${method} ${this.url(path)} answered an unexpected shape: ${this.redactor.excerpt(mismatch)}.`, `Check ${this.words.input('jira-url')} points at Jira itself and not at a proxy or another service.`, { issueKey: options.issueKey, status: response.status });
            }
        }
        return value;
    }
    /**
     * Sends one request and returns Jira's answer when Jira did what was asked. Throws the
     * diagnosed JiraError otherwise.
     */
    async answer(method, path, options = {}) {
        const { response, baseString, url, mayHaveArrived } = await this.exchange(method, path, options);
        const failure = diagnose(response, {
            issueKey: options.issueKey,
            anonymousExpected: options.anonymousExpected,
            redactor: this.redactor,
            words: this.words,
            credentials: { mode: this.auth.mode, cloud: this.cloud, gateway: this.route.triedGateway === true },
            signed: { url, baseUrl: this.baseUrl, baseString, fingerprint: () => this.auth.fingerprint }
        });
        if (failure)
            throw mayHaveArrived ? new JiraError(failure.kind, failure.reason, failure.remedy, { ...failure.details, mayHaveArrived }) : failure;
        return response;
    }
    /**
     * Sends one request and returns the answer undiagnosed (retries included): for endpoints
     * that are not Jira's REST API, such as an OAuth 2.0 token endpoint.
     */
    async send(method, path, options = {}) {
        return (await this.exchange(method, path, options)).response;
    }
}
/** A path and query under a base URL. */
function joinUrl(base, path, query) {
    const search = query && Object.keys(query).length > 0 ? `?${new URLSearchParams(query).toString()}` : '';
    return `${base}${path}${search}`;
}
/** Sleeps, or rejects as soon as the signal aborts. */
function abortableSleep(ms, signal) {
    return new Promise((resolve, reject) => {
        const stopped = () => new Stopped(signal?.reason);
        if (signal?.aborted)
            return reject(stopped());
        const onAbort = () => {
            clearTimeout(timer);
            reject(stopped());
        };
        const timer = setTimeout(() => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
        }, ms);
        signal?.addEventListener('abort', onAbort, { once: true });
    });
}
/** The run's time limit passed while a request was in flight. */
class DeadlinePassed extends Error {
}
/** Rejects with DeadlinePassed when the run's time limit passes first. */
async function withDeadline(promise, ms, timeLimit) {
    const answered = new AbortController();
    const deadline = timeLimit(ms, answered.signal).then(() => {
        throw new DeadlinePassed();
    });
    try {
        return await Promise.race([promise, deadline]);
    }
    finally {
        answered.abort();
    }
}
/** The time limit on the real clock; its timer never keeps the process alive. */
function realTimeLimit(ms, signal) {
    return new Promise(resolve => {
        const timer = setTimeout(resolve, ms);
        timer.unref();
        signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
    });
}
/** A 429, or a 503 with Retry-After: Jira turned the request away before doing anything. */
function certainlyUnprocessed(response) {
    return response.status === 429 || (response.status === 503 && response.headers['retry-after'] !== undefined);
}
/** A gateway's 502 or 504, or a 500, may come after Jira did the work; a 4xx or a refusal with Retry-After did not. */
function mayHaveBeenProcessed(response) {
    return response.status >= 500 && !certainlyUnprocessed(response);
}
function isRetryableThrow(thrown) {
    const code = codeOf(thrown) ?? '';
    return RETRYABLE_CODES.has(code) || (thrown instanceof Error && /timeout|socket hang up/i.test(thrown.message));
}
/**
 * How long to wait before retrying an answer: Retry-After in seconds or as an HTTP date,
 * Jira Cloud's X-RateLimit-Reset, or exponential backoff with jitter.
 */
function retryDelay(response, attempt, retry) {
    const retryAfter = response.headers['retry-after']?.trim();
    if (retryAfter) {
        if (/^\d+$/.test(retryAfter))
            return Number(retryAfter) * 1000;
        const at = Date.parse(retryAfter);
        if (!Number.isNaN(at))
            return Math.max(0, at - retry.now());
    }
    const reset = Date.parse(response.headers['x-ratelimit-reset'] ?? '');
    if (!Number.isNaN(reset))
        return Math.max(0, reset - retry.now());
    return backoff(attempt, retry);
}
function backoff(attempt, retry) {
    const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
    // "Equal jitter": at least half the ceiling, so retries neither bunch up nor vanish.
    return Math.round(ceiling / 2 + (retry.random() * ceiling) / 2);
}
function formatDelay(ms) {
    return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}
function parseJson(response, url, redactor, words, issueKey) {
    if (response.body.trim() === '')
        return undefined;
    try {
        return JSON.parse(response.body);
    }
    catch {
        const title = htmlTitle(response.body);
        const what = title === undefined ? 'something that is not JSON' : `an HTML page titled "${redactor.excerpt(title, 160)}"`;
        throw new JiraError('error', `Jira answered ${url} with ${what} instead of JSON.`, `A login page or a maintenance page usually means an SSO proxy stands in front of Jira or ${words.input('jira-url')} points at the wrong place.`, { issueKey, status: response.status });
    }
}
const TLS_CODES = new Set([
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'CERT_HAS_EXPIRED',
    'ERR_TLS_CERT_ALTNAME_INVALID'
]);
/** Turns a transport failure into a JiraError, by its code only: library messages may carry headers. */
function networkError(thrown, baseUrl, words = ACTION_WORDS, issueKey, urlInput = 'jira-url', mayHaveArrived = false) {
    const code = codeOf(thrown);
    if (code && TLS_CODES.has(code)) {
        return new JiraError('network', `The TLS certificate of ${baseUrl} could not be verified (${code}).`, `If Jira uses an internal CA, pass its certificate in PEM as ${words.input('ca-certificate')}, or point NODE_EXTRA_CA_CERTS at the file. Certificate checks cannot be turned off.`, { issueKey });
    }
    if (code === 'ERR_BODY_TOO_LARGE') {
        return new JiraError('error', `Jira's answer from ${baseUrl} was cut off: it is larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB, far more than any answer this tool asks for.`, `Check ${words.input(urlInput)} points at Jira itself; a proxy or another service answered.`, { issueKey, mayHaveArrived });
    }
    const reasons = {
        ECONNREFUSED: 'connection refused',
        ECONNRESET: 'connection reset',
        ENOTFOUND: 'host name not found',
        EAI_AGAIN: 'DNS lookup failed',
        ETIMEDOUT: 'timed out',
        ESOCKETTIMEDOUT: 'timed out',
        EHOSTUNREACH: 'host unreachable',
        ERR_STREAM_PREMATURE_CLOSE: 'the connection closed in the middle of the answer'
    };
    const timedOut = thrown instanceof Error && /timeout/i.test(thrown.message);
    const reason = code ? (reasons[code] ?? code) : timedOut ? 'timed out' : 'the connection failed';
    return new JiraError('network', `Could not reach Jira at ${baseUrl}: ${reason}.`, `Check ${words.input(urlInput)}, and that this machine can reach Jira (a proxy needs HTTPS_PROXY; a self-hosted runner or agent may need to be inside the firewall).`, { issueKey, mayHaveArrived });
}

;// CONCATENATED MODULE: ./src/jira/tokens.ts


/** The error codes of RFC 6749 §5.2 that say the client itself is refused: nothing more is worth sending. */
const CLIENT_REFUSED = new Set(['invalid_client', 'unauthorized_client', 'unsupported_grant_type', 'invalid_grant']);
/**
 * An Authenticator that sends `Authorization: Bearer <token>`, asking the token endpoint once
 * and sharing the answer with every concurrent request. A token is asked again when its
 * expires_in has (almost) run out, or when Jira answers 401 to it; a refused client is
 * remembered, so nothing more is sent.
 */
function clientCredentialsAuthenticator(config, deps) {
    let current;
    let pending;
    let refused;
    let issued = 0;
    const fetchToken = async () => {
        const form = { grant_type: 'client_credentials', client_id: config.clientId, client_secret: config.clientSecret };
        if (config.scope)
            form.scope = config.scope;
        if (config.audience)
            form.audience = config.audience;
        const askedAt = deps.now();
        const response = await deps.tokenClient.send('POST', '', { form });
        const token = readToken(response, config, deps.tokenClient, askedAt);
        issued++;
        deps.onToken(token.accessToken);
        return token;
    };
    const token = async () => {
        if (refused)
            throw refused;
        if (current && deps.now() < current.renewAt)
            return current;
        pending ??= fetchToken()
            .then(fresh => (current = fresh))
            .catch((thrown) => {
            if (thrown instanceof JiraError && (thrown.kind === 'unauthorized' || thrown.kind === 'wrong-url'))
                refused = thrown;
            throw thrown;
        })
            .finally(() => (pending = undefined));
        return pending;
    };
    return {
        mode: 'client-credentials',
        get issued() {
            return issued;
        },
        async authorize() {
            return { header: `Bearer ${(await token()).accessToken}` };
        },
        renew(response, sent) {
            if (response.status !== 401 || refused)
                return false;
            // A 401 to the token in use: it expired or was revoked early. Requests that got a 401 to
            // an older token just take the newer one; only the first asks for it.
            if (current && sent.header === `Bearer ${current.accessToken}`)
                current = undefined;
            return true;
        }
    };
}
/** The access token from the token endpoint's answer, or the failure it names, with the inputs to check. */
function readToken(response, config, client, askedAt) {
    const { words, redactor } = client;
    const clientInputs = `${words.input('client-id')} and ${words.input('client-secret')}`;
    let body = {};
    try {
        const parsed = JSON.parse(response.body);
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
            body = parsed;
    }
    catch {
        // not JSON: said below
    }
    const details = { status: response.status };
    const accessToken = body.access_token;
    if (response.status >= 200 && response.status < 300 && typeof accessToken === 'string' && /^[\x21-\x7e]+$/.test(accessToken)) {
        const expiresIn = Number(body.expires_in);
        // Asked again a little before the end (a tenth of the lifetime, a minute at most), so no
        // request is sent with a token about to expire on the way.
        const lifetime = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : Number.POSITIVE_INFINITY;
        return { accessToken, renewAt: askedAt + lifetime - Math.min(60_000, lifetime / 10) };
    }
    if (typeof accessToken === 'string') {
        // A token the check refused is still a secret: the answer that carries it is never quoted.
        redactor.add(accessToken);
        if (response.status < 300)
            return refuse('error', `The token endpoint ${redactor.excerpt(config.tokenUrl, 200)} answered an access token that is not one (it is empty or holds spaces or characters outside printable ASCII); none of it is shown.`, `Check ${words.input('token-url')} points at the token endpoint, not at a proxy that rewrites its answers.`, details);
    }
    const error = typeof body.error === 'string' ? redactor.excerpt(body.error, 60) : undefined;
    const description = typeof body.error_description === 'string' ? `: ${redactor.excerpt(body.error_description, 200)}` : '';
    const where = redactor.excerpt(config.tokenUrl, 200);
    if (error !== undefined && CLIENT_REFUSED.has(error)) {
        return refuse('unauthorized', `The token endpoint ${where} refused the client (${error}${description}).`, `Check ${clientInputs}: they are the client id and secret of the service account's OAuth 2.0 credential (Data Center: Administration → Service accounts; Cloud: admin.atlassian.com → Directory → Service accounts → Credentials). A secret that was rotated or a credential that was deleted is refused. Check ${words.input('token-url')} too if it is set.`, details);
    }
    if (error === 'invalid_scope') {
        return refuse('unauthorized', `The token endpoint ${where} refused the scope "${redactor.excerpt(config.scope ?? '', 80)}" (invalid_scope${description}).`, `Set ${words.input('scope')} to scopes the service account's credential has (Data Center: WRITE, or READ WRITE), or leave it empty.`, details);
    }
    if (error !== undefined)
        return refuse('error', `The token endpoint ${where} answered HTTP ${response.status}: ${error}${description}.`, '', details);
    if (response.status === 404 || response.status === 405 || (response.status < 300 && accessToken === undefined)) {
        return refuse('wrong-url', `${where} is not an OAuth 2.0 token endpoint: it answered HTTP ${response.status} without an access token.`, `Data Center serves {jira-url}/rest/oauth2/latest/token on versions with service accounts; Cloud's is https://auth.atlassian.com/oauth/token. Set ${words.input('token-url')} to the right one, or use another way to authenticate on an older Jira.`, details);
    }
    return refuse('error', `The token endpoint ${where} answered HTTP ${response.status} without an access token: ${errorText(response, redactor)}.`, response.status >= 500 ? 'It failed; try again later.' : `Check ${words.input('token-url')} points at the token endpoint, not at a proxy or a login page.`, details);
}
function refuse(kind, reason, remedy, details) {
    throw new JiraError(kind, reason, remedy, details);
}

;// CONCATENATED MODULE: ./src/jira/connect.ts






/**
 * A client for the configured way to authenticate: client credentials get their token source,
 * Cloud gets its gateway when the credentials need it, and every request of the client passes
 * one rate limiter.
 */
function connect(endpoint, connection, onRetry) {
    const redactor = connection.redactor ?? redactorFor(endpoint.auth);
    const retry = connection.retry ?? retryPolicy(endpoint.maxRetries, endpoint.timeoutSeconds, onRetry);
    const wired = { ...connection, redactor, retry };
    const { auth } = endpoint;
    let authenticator;
    if (auth.mode === 'client-credentials') {
        // The token endpoint is not Jira's REST API: its own client, no Authorization, no route.
        const tokenClient = clientFor({ ...endpoint, jiraUrl: auth.tokenUrl, apiUrl: undefined }, ANONYMOUS, wired, undefined, undefined, 'token-url');
        authenticator = clientCredentialsAuthenticator(auth, {
            tokenClient,
            now: retry.now,
            onToken: token => {
                for (const form of redactor.add(token))
                    connection.mask?.(form);
            }
        });
    }
    else {
        authenticator = authenticatorFor(auth, connection.sources);
    }
    return clientFor(endpoint, authenticator, wired, onRetry, routeFor(endpoint, authenticator, wired, onRetry));
}
/**
 * Where REST calls go: api-url when given; on Cloud with a service account, the gateway from the
 * start; on Cloud with basic auth, the site, and the gateway once the site answers 401.
 */
function routeFor(endpoint, authenticator, connection, onRetry) {
    if (endpoint.apiUrl)
        return fixedRoute(endpoint.apiUrl);
    if (!endpoint.cloud)
        return fixedRoute(endpoint.jiraUrl);
    const origin = connection.gatewayOrigin ?? GATEWAY_ORIGIN;
    const discover = () => discoverGateway(clientFor({ ...endpoint, apiUrl: undefined }, ANONYMOUS, connection), origin);
    if (authenticator.mode === 'client-credentials')
        return gatewayRoute(endpoint.jiraUrl, discover);
    if (authenticator.mode === 'basic') {
        const apiUrl = connection.words?.input('api-url') ?? "input 'api-url'";
        return siteThenGatewayRoute(endpoint.jiraUrl, discover, gateway => (onRetry ?? connection.retry?.onRetry)?.(`${endpoint.jiraUrl} answered 401 to the API token; trying Cloud's API gateway ${gateway}, where scoped API tokens work. Set ${apiUrl} to it to go there directly.`));
    }
    return fixedRoute(endpoint.jiraUrl);
}
/**
 * The one wiring of the Jira client, for any authenticator (the OAuth dance signs with the
 * consumer and the request token): the retry policy within the run's time limit, a redactor,
 * the front end's words, the run's stop signal, and a rate limiter of its own.
 */
function clientFor(limits, authenticator, connection, onRetry, route, urlInput) {
    const retry = connection.retry ?? retryPolicy(limits.maxRetries, limits.timeoutSeconds, onRetry);
    return new JiraClient(limits.jiraUrl, authenticator, {
        transport: connection.transport,
        retry,
        redactor: connection.redactor ?? new redact_Redactor(),
        words: connection.words,
        signal: connection.signal,
        route,
        limiter: new RateLimiter(retry),
        cloud: limits.cloud,
        urlInput,
        debug: connection.debug
    });
}

;// CONCATENATED MODULE: ./src/jira/shape.ts
/**
 * Shapes of Jira's answers, checked before anything reads them. A check names the first place
 * an answer departs from its shape ("editmeta.fields.customfield_10001.allowedValues[0].value is
 * a number, expected a string"), so a wrong answer is reported as Jira's, never as a JavaScript
 * error deep in the code that trusted it.
 */
/** What a value is, as a message says it: "a number", "null", "a list", "an object". */
function kindOf(value) {
    if (value === null)
        return 'null';
    if (value === undefined)
        return 'missing';
    if (Array.isArray(value))
        return 'a list';
    if (typeof value === 'object')
        return 'an object';
    return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string' ? `a ${typeof value}` : 'something else';
}
/** A schema from its departure check; the message is built only when something departs. */
function schemaOf(expected, departure) {
    return {
        expected,
        departure,
        mismatch: (value, path) => {
            const found = departure(value);
            if (!found)
                return undefined;
            const where = path + found.steps.join('');
            return `${where === '' ? 'the answer' : where.replace(/^\./, '')} is ${kindOf(found.value)}, expected ${found.expected}`;
        }
    };
}
function leaf(expected, test) {
    return schemaOf(expected, value => (test(value) ? undefined : { steps: [], value, expected }));
}
const string = leaf('a string', value => typeof value === 'string');
const number = leaf('a number', value => typeof value === 'number' && Number.isFinite(value));
const shape_boolean = leaf('a boolean', value => typeof value === 'boolean');
/** Anything at all: a value the code only compares or passes on. */
const anything = leaf('anything', () => true);
/** Absent or of the shape. Jira leaves out what does not apply; null is not absent. */
function optional(schema) {
    return schemaOf(schema.expected, value => (value === undefined ? undefined : schema.departure(value)));
}
/** A list whose every item has the shape. */
function list(item, expected = `a list of ${item.expected.replace(/^an? /, '')}s`) {
    return schemaOf(expected, value => {
        if (!Array.isArray(value))
            return { steps: [], value, expected };
        for (let i = 0; i < value.length; i++) {
            const found = item.departure(value[i]);
            if (found)
                return { ...found, steps: [`[${i}]`, ...found.steps] };
        }
        return undefined;
    });
}
const isRecord = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
/** An object with these properties (others are allowed and not checked). */
function object(properties, expected = 'an object') {
    const entries = Object.entries(properties);
    return schemaOf(expected, value => {
        if (!isRecord(value))
            return { steps: [], value, expected };
        for (const [name, schema] of entries) {
            const found = schema.departure(Object.hasOwn(value, name) ? value[name] : undefined);
            if (found)
                return { ...found, steps: [step(name), ...found.steps] };
        }
        return undefined;
    });
}
/** An object used as a map: every property's value has the shape. */
function record(item, expected = 'an object') {
    return schemaOf(expected, value => {
        if (!isRecord(value))
            return { steps: [], value, expected };
        for (const name in value) {
            if (!Object.hasOwn(value, name))
                continue;
            const found = item.departure(value[name]);
            if (found)
                return { ...found, steps: [step(name), ...found.steps] };
        }
        return undefined;
    });
}
/**
 * A path step as a person reads it: `.customfield_10001`, or `["a b"]` for a name that is not a
 * plain identifier. Names come from Jira's answer: the whole path passes the boundary (redacted,
 * then cut) before it is shown, so nothing is cut here first.
 */
function step(name) {
    return /^[A-Za-z_$][\w$-]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
}
/** The Shape for the client from a schema, named for messages ("a list of fields"). */
function shape(name, schema) {
    return {
        name,
        is: (value) => schema.departure(value) === undefined,
        mismatch: value => schema.mismatch(value, '')
    };
}

;// CONCATENATED MODULE: ./src/jira/fields.ts




const FIELD_SCHEMA = optional(object({ type: optional(string), items: optional(string), custom: optional(string), system: optional(string), customId: optional(number) }));
/** What formatting reads of a field's edit metadata; Jira sends more, which is not looked at. */
const FIELD_META = object({
    name: optional(string),
    required: optional(shape_boolean),
    schema: FIELD_SCHEMA,
    allowedValues: optional(list(object({ id: optional(string), value: optional(string), name: optional(string) }, 'an option'), 'a list of options'))
});
/**
 * The shape of `GET /rest/api/2/issue/{key}?fields={fieldIds}&expand=editmeta`, checked as far as
 * the update reads it: the metadata of the fields it changes, not every field on the screen.
 */
function issueShape(fieldIds) {
    const ids = typeof fieldIds === 'string' ? [fieldIds] : fieldIds;
    return shape('an issue with its edit metadata', object({
        fields: optional(record(anything)),
        editmeta: optional(object({ fields: object(Object.fromEntries(ids.map(id => [id, optional(FIELD_META)]))) }))
    }));
}
/**
 * Turns a value as a person writes it into what Jira expects for the field's type (its
 * editmeta schema). Options are checked against allowedValues. Throws an `invalid`
 * JiraError that says what would be accepted.
 */
function formatValue(fieldId, meta, value, now = () => new Date(), redactor = new redact_Redactor()) {
    const schema = meta.schema ?? {};
    const kind = (schema.custom ?? '').split(':').pop() ?? '';
    // The field's id and name, and its options, are Jira's text: quoted through the boundary.
    const quote = (text) => redactor.excerpt(text, 100);
    const label = quote(meta.name ? `${fieldId} (${meta.name})` : fieldId);
    const fail = (reason, remedy) => {
        throw new JiraError('invalid', reason, remedy);
    };
    switch (kind) {
        case 'textfield':
        case 'textarea':
        case 'url':
            return value;
        case 'select':
        case 'radiobuttons':
            return fields_option(label, meta, value.trim(), fail, quote);
        case 'multiselect':
        case 'multicheckboxes':
            return splitList(value).map(item => fields_option(label, meta, item, fail, quote));
        case 'labels':
            return labels(value);
        case 'float':
            return fields_number(label, value, fail);
        case 'datepicker':
            return date(label, value, now, fail);
        case 'datetime':
            return datetime(label, value, now, fail);
        case 'userpicker':
            return { name: value.trim() };
        case 'multiuserpicker':
            return splitList(value).map(name => ({ name }));
        case 'version':
        case 'multiversion':
            return schema.type === 'array' ? splitList(value).map(name => ({ name })) : { name: value.trim() };
    }
    // System fields and custom types known by their schema type alone.
    switch (schema.type) {
        case 'string':
            return value;
        case 'number':
            return fields_number(label, value, fail);
        case 'date':
            return date(label, value, now, fail);
        case 'datetime':
            return datetime(label, value, now, fail);
        case 'option':
            return fields_option(label, meta, value.trim(), fail, quote);
        case 'user':
        case 'priority':
        case 'resolution':
            return meta.allowedValues ? named(label, meta, value.trim(), fail, quote) : { name: value.trim() };
        case 'array':
            switch (schema.items) {
                case 'string':
                    return labels(value);
                case 'option':
                    return splitList(value).map(item => fields_option(label, meta, item, fail, quote));
                case 'version':
                case 'component':
                case 'user':
                    return splitList(value).map(name => (meta.allowedValues ? named(label, meta, name, fail, quote) : { name }));
            }
    }
    return fail(`Field ${label} has a type this action cannot format from a plain value (${quote(schema.custom ?? schema.type ?? 'unknown')}).`, "Set it with input 'fields' (--fields) as raw JSON instead.");
}
function fields_option(label, meta, value, fail, quote) {
    const allowed = meta.allowedValues;
    if (!allowed)
        return { value };
    const exact = allowed.find(candidate => candidate.value === value);
    if (exact?.value !== undefined)
        return { value: exact.value };
    const byId = allowed.find(candidate => candidate.id === value);
    if (byId?.id !== undefined)
        return { id: byId.id };
    // Jira matches option values exactly; accept a difference of case and send Jira's spelling.
    const folded = allowed.filter(candidate => candidate.value?.toLowerCase() === value.toLowerCase());
    if (folded.length === 1 && folded[0].value !== undefined)
        return { value: folded[0].value };
    return fail(`"${value}" is not an option of ${label}.`, `Use one of: ${shownList(allowed.map(candidate => `"${quote(String(candidate.value ?? candidate.name ?? candidate.id))}"`))}.`);
}
function named(label, meta, value, fail, quote) {
    const allowed = meta.allowedValues ?? [];
    const match = allowed.find(candidate => candidate.name?.toLowerCase() === value.toLowerCase());
    if (match?.name !== undefined)
        return { name: match.name };
    return fail(`"${value}" is not allowed in ${label}.`, `Use one of: ${shownList(allowed.map(c => `"${quote(String(c.name))}"`))}.`);
}
function splitList(value) {
    return value
        .split(',')
        .map(item => item.trim())
        .filter(item => item !== '');
}
function labels(value) {
    // Jira labels cannot contain spaces, so spaces separate them as commas do.
    return value.split(/[\s,]+/).filter(item => item !== '');
}
function fields_number(label, value, fail) {
    const parsed = Number(value.trim());
    if (value.trim() === '' || !Number.isFinite(parsed)) {
        return fail(`Field ${label} takes a number, not "${value}".`, 'Pass a number such as 42 or 42.07.');
    }
    return parsed;
}
function date(label, value, now, fail) {
    const trimmed = value.trim();
    if (trimmed.toLowerCase() === 'today')
        return now().toISOString().slice(0, 10);
    if (/^\d{4}-\d{2}-\d{2}$/.test(trimmed) && !Number.isNaN(Date.parse(trimmed)))
        return trimmed;
    const parsed = new Date(trimmed);
    if (!Number.isNaN(parsed.getTime()) && /^\d{4}-\d{2}-\d{2}T/.test(trimmed))
        return trimmed.slice(0, 10);
    return fail(`Field ${label} takes a date, not "${value}".`, 'Write it as YYYY-MM-DD (2015-11-18) or "today".');
}
function datetime(label, value, now, fail) {
    const trimmed = value.trim();
    const parsed = trimmed.toLowerCase() === 'now' ? now() : new Date(trimmed);
    if (Number.isNaN(parsed.getTime()) || (trimmed.toLowerCase() !== 'now' && !/^\d{4}-\d{2}-\d{2}/.test(trimmed))) {
        return fail(`Field ${label} takes a date and time, not "${value}".`, 'Write it in ISO 8601 (2015-11-18T14:39:00+11:00) or "now".');
    }
    // Jira writes datetimes as yyyy-MM-dd'T'HH:mm:ss.SSSZ with a +hhmm offset; UTC is exact.
    return parsed.toISOString().replace('Z', '+0000');
}
/** The shape of `GET /rest/api/2/field`. */
const FIELD_LIST = shape('a list of fields', list(object({ id: string, name: string, custom: optional(shape_boolean), schema: FIELD_SCHEMA }, 'a field'), 'a list of fields'));
/** Whether `field` is an id that needs no lookup: a custom field id. */
function isFieldId(field) {
    return /^customfield_\d+$/.test(field);
}
/**
 * Resolves a field given by id or by name (case-insensitive) to its id. Throws an
 * `invalid` JiraError naming close matches when none matches, or every match when several do.
 */
function resolveField(field, definitions, redactor = new redact_Redactor()) {
    const byId = definitions.find(definition => definition.id === field);
    if (byId)
        return byId.id;
    const wanted = field.trim().toLowerCase();
    const matches = definitions.filter(definition => definition.name.toLowerCase() === wanted);
    if (matches.length === 1)
        return matches[0].id;
    // Names and ids are Jira's text: quoted through the boundary, and never more than 20 of them.
    const describe = (list) => shownList(list.map(d => `"${redactor.excerpt(d.name, 100)}" (${redactor.excerpt(d.id, 60)})`));
    if (matches.length > 1) {
        throw new JiraError('invalid', `${matches.length} fields are named "${field}": ${describe(matches)}.`, 'Name the field by its id instead.');
    }
    const close = definitions
        .map(definition => ({ definition, distance: closeness(wanted, definition.name.toLowerCase()) }))
        .filter(candidate => candidate.distance <= Math.max(2, Math.floor(wanted.length / 3)))
        .sort((a, b) => a.distance - b.distance)
        .slice(0, 5)
        .map(candidate => candidate.definition);
    throw new JiraError('invalid', `No field is named "${field}".`, close.length > 0 ? `Close matches: ${describe(close)}.` : 'Check the name in Jira (Administration → Issues → Custom fields), or use the field id.');
}
/** Edit distance, with a containing name counted as close. */
function closeness(a, b) {
    if (a.length > 2 && (b.includes(a) || a.includes(b)))
        return 1;
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let previous = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const current = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
            previous = current;
        }
    }
    return row[b.length];
}
/**
 * Whether a field already holds the value about to be sent, comparing as Jira does: option
 * values or ids, lists as sets, datetimes as instants.
 */
function holdsValue(current, next) {
    if (Array.isArray(next)) {
        if (!Array.isArray(current) || current.length !== next.length)
            return false;
        return next.every(item => current.some(existing => holdsValue(existing, item)));
    }
    if (next !== null && typeof next === 'object') {
        if (current === null || typeof current !== 'object')
            return false;
        const entries = Object.entries(next);
        return entries.length > 0 && entries.every(([key, value]) => current[key] === value);
    }
    if (typeof next === 'string' && typeof current === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(next)) {
        return Date.parse(next.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) === Date.parse(current.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    }
    return current === next;
}

;// CONCATENATED MODULE: ./src/jira/issues.ts

const issuePath = (issueKey) => `/rest/api/2/issue/${encodeURIComponent(issueKey)}`;
/** Every field Jira knows; names are global, so one list serves a whole run. */
async function listFields(client) {
    return (await client.json('GET', '/rest/api/2/field', {}, FIELD_LIST)) ?? [];
}
/** The current values of these fields and the edit screen's metadata, in one GET. */
async function readIssue(client, issueKey, fieldIds) {
    return (await client.json('GET', issuePath(issueKey), { query: { fields: fieldIds.join(','), expand: 'editmeta' }, issueKey }, issueShape(fieldIds))) ?? {};
}
/** The edit of an issue: idempotent (the same values and verbs give the same issue). */
function editRequest(issueKey, edit, notifyUsers) {
    return { method: 'PUT', path: issuePath(issueKey), query: notifyUsers ? undefined : { notifyUsers: 'false' }, json: edit, retry: 'idempotent', issueKey };
}
/** The upsert of a remote link: a link with the same globalId is updated, not added, so it is idempotent. */
function remoteLinkRequest(issueKey, link) {
    return { method: 'POST', path: `${issuePath(issueKey)}/remotelink`, json: link, retry: 'idempotent', issueKey };
}
/** A new comment: not idempotent, a second arrival posts it twice. */
function commentRequest(issueKey, body) {
    return { method: 'POST', path: `${issuePath(issueKey)}/comment`, json: { body }, retry: 'never-after-sent', issueKey };
}
/** Sends a write and returns Jira's status (201 created, 200 updated, 204 edited). Throws the diagnosed JiraError. */
async function sendWrite(client, request) {
    const { method, path, query, json, retry, issueKey } = request;
    const response = await client.answer(method, path, { query, json, retry, issueKey });
    return response.status;
}
/** How a dry run shows a write: method and URL, headers (Authorization redacted), body. */
function describeWrite(client, request) {
    return [
        `[dry-run] ${request.method} ${client.url(request.path, request.query)}`,
        'Content-Type: application/json',
        'Authorization: <redacted>',
        JSON.stringify(request.json)
    ].join('\n');
}

;// CONCATENATED MODULE: ./src/jira/search.ts



/** Issues per page asked for; Jira may answer with fewer. */
const SEARCH_PAGE_SIZE = 100;
// Each issue's key is checked as strictly as a key a person typed, by KeyCollector, which names it.
const SEARCH_PAGE = shape('a search page with an issues list', object({
    issues: list(object({ key: anything }, 'an issue'), 'a list of issues'),
    total: optional(number),
    nextPageToken: optional(string),
    isLast: optional(shape_boolean)
}));
const SERVER_INFO = shape('a server info object', object({ deploymentType: optional(string) }));
/** Cloud or Server/Data Center, as Jira says of itself. */
async function deploymentOf(client) {
    const info = await client.json('GET', '/rest/api/2/serverInfo', {}, SERVER_INFO);
    return info?.deploymentType === 'Cloud' ? 'Cloud' : 'Server';
}
/**
 * Every issue key a JQL query matches, at most `maxIssues` of them. Server and Data Center page
 * /rest/api/2/search by startAt; Jira Cloud removed that endpoint in 2025 (410 Gone,
 * CHANGE-2046), and its replacement /rest/api/3/search/jql pages by nextPageToken. The old
 * endpoint is asked first and Jira's 410 chooses the new one, so no host name is guessed at.
 * Keys are checked as strictly as keys a person typed: a key goes into a request path. Past
 * `maxIssues` no further page is read, and the search fails as `invalid`: nothing is written.
 */
async function searchIssueKeys(client, jql, maxIssues) {
    try {
        return await searchByOffset(client, jql, maxIssues);
    }
    catch (thrown) {
        if (thrown instanceof JiraError && thrown.details.status === 410)
            return searchByToken(client, jql, maxIssues);
        throw thrown;
    }
}
/** Asks for one key more than the cap allows at most: enough to know the cap is passed. */
function pageSize(maxIssues) {
    return String(Math.min(SEARCH_PAGE_SIZE, maxIssues + 1));
}
async function searchByOffset(client, jql, maxIssues) {
    const keys = new KeyCollector(client, maxIssues);
    // Every page must add a key or the search ends, so the pages read are bounded by the cap.
    for (let startAt = 0;;) {
        const answer = await client.json('GET', '/rest/api/2/search', { query: { jql, startAt: String(startAt), maxResults: pageSize(maxIssues), fields: 'key' } }, SEARCH_PAGE);
        const issues = answer?.issues ?? [];
        const total = typeof answer?.total === 'number' ? answer.total : undefined;
        if (total !== undefined && total > maxIssues)
            throw tooMany(client, jql, maxIssues, total);
        const added = keys.add(issues);
        if (keys.full)
            throw tooMany(client, jql, maxIssues);
        startAt += issues.length;
        // Jira may cap maxResults below what was asked, so go by total, not by page size; and a
        // search that ignores startAt repeats its page, which adds nothing.
        if (issues.length === 0 || added === 0 || total === undefined || startAt >= total)
            return keys.list;
    }
}
async function searchByToken(client, jql, maxIssues) {
    const keys = new KeyCollector(client, maxIssues);
    const seenTokens = new Set();
    let nextPageToken;
    for (;;) {
        const query = { jql, maxResults: pageSize(maxIssues), fields: 'key' };
        if (nextPageToken)
            query.nextPageToken = nextPageToken;
        const answer = await client.json('GET', '/rest/api/3/search/jql', { query }, SEARCH_PAGE);
        const issues = answer?.issues ?? [];
        const added = keys.add(issues);
        // Cloud's search says no total: what was read is all that is known.
        if (keys.full)
            throw tooMany(client, jql, maxIssues);
        nextPageToken = typeof answer?.nextPageToken === 'string' && answer.nextPageToken !== '' ? answer.nextPageToken : undefined;
        if (issues.length === 0 || added === 0 || answer?.isLast === true || !nextPageToken || seenTokens.has(nextPageToken))
            return keys.list;
        seenTokens.add(nextPageToken);
    }
}
const count = (n) => n.toLocaleString('en-US');
/** The search passed the cap: how many matched, when Jira said (Cloud does not), and what to narrow. */
function tooMany(client, jql, maxIssues, total) {
    const { words } = client;
    const limit = `${words.input('max-issues')} (${count(maxIssues)})`;
    const matched = total === undefined ? `matches more issues than ${limit} allows` : `matches ${count(total)} issues, more than ${limit} allows`;
    return new JiraError('invalid', `The JQL query ${matched}, so no issue was updated. The query: ${client.redactor.excerpt(jql, 200)}`, `Narrow ${words.input('jql')} to the issues this build concerns (such as fixVersion = "1.4" AND status = "In Review"), or raise ${words.input('max-issues')} if that many are meant.`);
}
/** Keys in first-seen order, each checked to be an issue key before it is used, one past the cap at most. */
class KeyCollector {
    client;
    maxIssues;
    list = [];
    seen = new Set();
    constructor(client, maxIssues) {
        this.client = client;
        this.maxIssues = maxIssues;
    }
    /** Whether more keys were found than the cap allows; no more are taken then. */
    get full() {
        return this.list.length > this.maxIssues;
    }
    /** Adds a page's keys, up to one past the cap; returns how many were new. */
    add(issues) {
        let added = 0;
        for (const [index, issue] of issues.entries()) {
            if (this.full)
                break;
            const key = issue.key;
            if (typeof key !== 'string' || !ISSUE_KEY.test(key)) {
                const shown = this.client.redactor.excerpt(JSON.stringify(key) ?? 'nothing', 40);
                throw new JiraError('error', `Jira's search answered with ${shown} where an issue key belongs (issues[${index}].key), so no issue was updated from it.`, `Check ${this.client.words.input('jira-url')} points at Jira itself and not at a proxy or another service.`);
            }
            if (this.seen.has(key))
                continue;
            this.seen.add(key);
            this.list.push(key);
            added++;
        }
        return added;
    }
}

;// CONCATENATED MODULE: ./src/jira/users.ts


const USER_LIST = shape('a list of users', list(object({ accountId: string, displayName: optional(string), emailAddress: optional(string), accountType: optional(string), active: optional(shape_boolean) }, 'a user'), 'a list of users'));
// Cloud account ids: 24 hex digits, or "557058:" followed by a UUID.
const ACCOUNT_ID = /^(?:[0-9a-f]{24}|\d+:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
/**
 * The accountId of the user a person named, on Jira Cloud, where user pickers take
 * `{"accountId": …}` and no longer a name: an account id as written, or the one user whose
 * e-mail address or display name matches exactly (case aside). Throws an `invalid` JiraError
 * naming the candidates when none or several match.
 */
async function resolveAccountId(client, written, label, issueKey) {
    const wanted = written.trim();
    if (ACCOUNT_ID.test(wanted))
        return wanted;
    const users = (await client.json('GET', '/rest/api/3/user/search', { query: { query: wanted, maxResults: '20' }, issueKey }, USER_LIST)) ?? [];
    const people = users.filter(user => user.accountType === undefined || user.accountType === 'atlassian');
    const folded = wanted.toLowerCase();
    const exact = people.filter(user => user.emailAddress?.toLowerCase() === folded || user.displayName?.toLowerCase() === folded);
    if (exact.length === 1)
        return exact[0].accountId;
    const describe = (list) => list
        .slice(0, 5)
        .map(user => `"${client.redactor.excerpt(user.displayName ?? '?', 60)}"${user.emailAddress ? ` <${client.redactor.excerpt(user.emailAddress, 80)}>` : ''} (${client.redactor.excerpt(user.accountId, 60)})`)
        .join(', ');
    if (exact.length > 1) {
        throw new JiraError('invalid', `${exact.length} users of this Jira Cloud match "${wanted}" for ${label}: ${describe(exact)}.`, 'Write the e-mail address or the accountId instead.', { issueKey });
    }
    throw new JiraError('invalid', `No user of this Jira Cloud is "${wanted}" for ${label}.`, people.length > 0
        ? `Did you mean ${describe(people)}? Write the e-mail address, the exact display name or the accountId.`
        : 'Write the e-mail address, the exact display name or the accountId of a user who can be assigned.', { issueKey });
}

;// CONCATENATED MODULE: ./src/update.ts











/**
 * Applies the planned changes to every issue and reports each change's outcome. Per issue: one
 * GET (every field needed, with the edit metadata), at most one PUT with every field change,
 * then the remote link and the comment. One issue's failure never stops the others, except a
 * CAPTCHA, refused credentials or a jira-url that is not Jira: every further request would
 * fail the same way and add to Jira's failed-login count, so the stop reaches requests in flight
 * and retries waiting too. A cancel through `deps.signal` stops the same way and reports what
 * finished.
 */
async function updateIssues(options, deps) {
    const halt = new AbortController();
    const signal = deps.signal ? AbortSignal.any([deps.signal, halt.signal]) : halt.signal;
    // Each request in flight and each retry waiting listens for the stop: up to two per issue at once.
    (0,external_node_events_namespaceObject.setMaxListeners)(10 + 4 * options.concurrency, signal);
    deps.log.debug(`Authenticating to ${options.jiraUrl} with ${describeAuth(options.auth)}.`);
    const client = connect(options, { ...deps, signal, debug: message => deps.log.debug(message) }, message => deps.log.info(message));
    const words = deps.words ?? ACTION_WORDS;
    const { issues } = options;
    if (issues.by === 'none') {
        const reason = `No issue key found in ${issues.lookedIn}.`;
        const remedy = `Name the issue (e.g. CI-42) in the pull request title, the branch or a commit message, or pass ${words.input('issue')} or ${words.input('jql')}.`;
        return failedRun(new JiraError('not-found', reason, remedy), 'no-issues');
    }
    if (issues.by === 'keys' && issues.keys.length > options.maxIssues)
        return failedRun(tooManyKeys(issues, options.maxIssues, words), 'invalid');
    let issueKeys = issues.by === 'keys' ? issues.keys : [];
    let changes;
    try {
        if (issues.by === 'jql')
            issueKeys = await searchIssueKeys(client, issues.jql, options.maxIssues);
        if (issueKeys.length === 0) {
            const jql = issues.by === 'jql' ? issues.jql : '';
            return failedRun(new JiraError('not-found', `The JQL query matched no issue: ${jql}`, "Check the query in Jira's issue search."), 'no-issues');
        }
        changes = await resolveChanges(client, options, deps.log, words);
    }
    catch (thrown) {
        if (thrown instanceof Stopped)
            return failedRun(stoppedError(), 'cancelled');
        const error = asJiraError(thrown);
        return failedRun(error, runResultOf(error.kind));
    }
    const run = { client, options, deps, words, changes };
    const updateKey = async (issueKey) => {
        if (signal.aborted)
            return notAttempted(run, issueKey);
        const done = [];
        let result;
        try {
            result = await updateOne(run, issueKey, done);
        }
        catch (thrown) {
            if (thrown instanceof Stopped)
                return done.length > 0 ? { ...notAttempted(run, issueKey), changes: done } : notAttempted(run, issueKey);
            const error = asJiraError(thrown, issueKey);
            // Failed before any change was sent (the issue could not be read): each change failed with it.
            result = { issueKey, outcome: error.kind, changes: done.length > 0 ? done : plannedChanges(run, 'failed', error.reason), error };
        }
        if (result.error && HALTING_KINDS.has(result.error.kind))
            halt.abort(result.error);
        if (result.error?.details.debug) {
            deps.log.debug(`${issueKey}: ${result.error.details.debug}`);
        }
        else if (!result.error) {
            deps.log.info(describeResult(result));
        }
        return result;
    };
    // The first issue goes alone until Jira has answered it once: if Jira refuses the credentials,
    // no other request is sent; once it accepted them, the others need not wait for the rest of it.
    let gate = Promise.resolve();
    const results = await mapLimit(issueKeys, options.concurrency, (issueKey, index) => {
        if (index > 0)
            return gate.then(() => updateKey(issueKey));
        let accepted = () => { };
        const answered = new Promise(resolve => (accepted = resolve));
        run.answered = () => {
            run.answered = undefined;
            accepted();
        };
        const result = updateKey(issueKey);
        gate = Promise.race([result, answered]);
        return result;
    });
    return summarizeResults(results);
}
/** More keys than max-issues: named by the issue input, or found in the build's context. */
function tooManyKeys(issues, maxIssues, words) {
    const count = (n) => n.toLocaleString('en-US');
    const limit = `more than ${words.input('max-issues')} (${count(maxIssues)}) allows, so no issue was updated`;
    if (issues.found === undefined) {
        return new JiraError('invalid', `${words.input('issue')} names ${count(issues.keys.length)} issues, ${limit}.`, `Name fewer issues, or raise ${words.input('max-issues')} if that many are meant.`);
    }
    return new JiraError('invalid', `The pull request or commits name ${count(issues.keys.length)} issues (in the ${issues.found}), ${limit}.`, `Set ${words.input('projects')} to your project keys so only those count, name the issues in ${words.input('issue')}, or raise ${words.input('max-issues')} if that many are meant.`);
}
/**
 * Resolves every field name with one /field call (names are global), and refuses changes Jira
 * would refuse together once names and ids meet: a field set twice, or set and also added to.
 */
async function resolveChanges(client, options, log, words) {
    const named = options.changes.filter(change => !isFieldId(change.field.trim()));
    const definitions = named.length > 0 ? await listFields(client) : [];
    const problems = [];
    const told = new Set();
    const resolved = [];
    for (const change of options.changes) {
        const written = change.field.trim();
        if (isFieldId(written)) {
            resolved.push({ ...change, id: written, target: written });
            continue;
        }
        try {
            const id = resolveField(written, definitions, client.redactor);
            // The id is Jira's text: it is sent as it is, and shown through the boundary.
            const shown = client.redactor.excerpt(id, 100);
            if (id !== written && !told.has(written))
                log.info(`Field "${written}" is ${shown}.`);
            told.add(written);
            resolved.push({ ...change, id, target: id === written ? written : `${written} (${shown})` });
        }
        catch (thrown) {
            const error = asJiraError(thrown);
            problems.push(new JiraError('invalid', `${change.origin}: ${error.reason}`, error.remedy));
        }
    }
    for (const [earlier, later] of clashes(resolved, change => change.id)) {
        problems.push(new JiraError('invalid', `${earlier.origin} and ${later.origin} both change ${later.target}, and Jira refuses a field that is set and also changed otherwise in one edit.`, 'Keep one of them.'));
    }
    for (const change of resolved) {
        if (options.fields && change.id in options.fields) {
            problems.push(new JiraError('invalid', `${words.input('fields')} sets ${change.id} too, which ${change.origin} already changes.`, 'Change it in one place.'));
        }
    }
    if (problems.length === 1)
        throw problems[0];
    if (problems.length > 1)
        throw new JiraError('invalid', problems.map(p => p.message).join(' '), '');
    return resolved;
}
/** An issue not attempted: skipped after a halting failure, or cancelled from outside. */
function notAttempted(run, issueKey) {
    const cancelled = run.deps.signal?.aborted === true;
    const reason = cancelled ? 'the run was cancelled' : 'not attempted after an earlier request failed in a way every request would';
    return { issueKey, outcome: cancelled ? 'cancelled' : 'skipped', changes: plannedChanges(run, 'skipped', reason) };
}
/** Every change the run plans for an issue, as written, with one outcome and why. */
function plannedChanges(run, outcome, reason) {
    const { options, words } = run;
    const results = run.changes.map(change => ({
        target: change.target,
        origin: change.origin,
        action: change.operation,
        value: change.value,
        outcome,
        reason
    }));
    for (const [id, value] of Object.entries(options.fields ?? {}))
        results.push({ target: id, origin: words.input('fields'), action: 'set', value: displayValue(value), outcome, reason });
    if (options.remoteLink)
        results.push({ target: 'remote link', origin: words.input('remote-link'), action: 'link', value: options.remoteLink.title, outcome, reason });
    if (options.comment) {
        const post = options.comment.post;
        results.push({
            target: 'comment',
            origin: words.input('comment'),
            action: 'comment',
            value: post ? options.comment.body : undefined,
            outcome: post ? outcome : 'skipped',
            reason: post ? reason : options.comment.reason
        });
    }
    return results;
}
function stoppedError() {
    return new JiraError('error', 'The run was cancelled before any issue was updated.', '');
}
/**
 * One issue: read it, work out each field change (refusing what Jira would refuse, skipping
 * what it already holds), send the edit, then the remote link and the comment side by side.
 * Neither is sent when the edit failed. Each change's result is pushed onto `done` as soon as it
 * is known, so a cancel still reports what was written.
 */
async function updateOne(run, issueKey, done) {
    const { client, options, words } = run;
    const edit = { fields: {}, update: {} };
    const pending = [];
    const refusals = [];
    if (run.changes.length > 0) {
        // One GET brings every current value and the edit screen's metadata together.
        const issue = await readIssue(client, issueKey, [...new Set(run.changes.map(change => change.id))]);
        run.answered?.();
        for (const change of run.changes) {
            const planned = await planFieldChange(run, issueKey, issue, change);
            if ('reason' in planned) {
                refusals.push(planned);
                continue;
            }
            // The value as Jira spells it (an option's case, a number), not as typed.
            const result = { target: change.target, origin: change.origin, action: change.operation, value: planned.shown, outcome: 'unchanged' };
            if (planned.send === undefined)
                done.push(result);
            else {
                if (change.operation === 'set')
                    edit.fields[change.id] = planned.send;
                else
                    (edit.update[change.id] ??= []).push(...planned.send.map(item => ({ [change.operation]: item })));
                pending.push(result);
            }
        }
    }
    if (refusals.length > 0)
        return refused(run, issueKey, refusals, done);
    for (const [id, value] of Object.entries(options.fields ?? {})) {
        edit.fields[id] = value;
        pending.push({ target: id, origin: words.input('fields'), action: 'set', value: displayValue(value), outcome: 'unchanged' });
    }
    if (Object.keys(edit.fields).length > 0 || Object.keys(edit.update).length > 0) {
        const body = {};
        if (Object.keys(edit.fields).length > 0)
            body.fields = edit.fields;
        if (Object.keys(edit.update).length > 0)
            body.update = edit.update;
        const wrote = { set: 'set', add: 'added', remove: 'removed' };
        try {
            await write(run, editRequest(issueKey, body, options.notifyUsers));
            for (const result of pending)
                done.push({ ...result, outcome: options.dryRun ? 'dry-run' : wrote[result.action] });
        }
        catch (thrown) {
            if (thrown instanceof Stopped)
                throw thrown;
            const error = asJiraError(thrown, issueKey);
            for (const result of pending)
                done.push({ ...result, outcome: 'failed', reason: error.reason });
            skipRest(run, done, `not sent: the edit of ${issueKey} failed`);
            return { issueKey, outcome: error.kind, changes: done, error };
        }
    }
    // The link and the comment do not depend on each other: both go once the edit is done.
    const [link, comment] = await Promise.all([sendRemoteLink(run, issueKey), sendComment(run, issueKey)]);
    for (const step of [link, comment])
        if (step?.change)
            done.push(step.change);
    const stopped = [link, comment].find(step => step?.failure instanceof Stopped)?.failure;
    if (stopped)
        throw stopped;
    const failure = [link, comment].map(step => step?.failure).find(failed => failed instanceof JiraError);
    if (failure instanceof JiraError)
        return { issueKey, outcome: failure.kind, changes: done, error: failure };
    const outcome = done.some(change => change.outcome === 'dry-run')
        ? 'dry-run'
        : done.some(change => WRITE_OUTCOMES.has(change.outcome))
            ? 'updated'
            : 'unchanged';
    return { issueKey, outcome, changes: done };
}
/** Upserts the remote link by its globalId: `added` (201) or `updated` (200). */
async function sendRemoteLink(run, issueKey) {
    const link = run.options.remoteLink;
    if (!link)
        return undefined;
    const change = { target: 'remote link', origin: run.words.input('remote-link'), action: 'link', value: link.title, outcome: 'dry-run' };
    try {
        const status = await write(run, remoteLinkRequest(issueKey, remoteLinkOf(link)));
        return { change: { ...change, outcome: status === undefined ? 'dry-run' : status === 201 ? 'added' : 'updated' } };
    }
    catch (thrown) {
        if (thrown instanceof Stopped)
            return { failure: thrown };
        const error = asJiraError(thrown, issueKey);
        return { change: { ...change, outcome: 'failed', reason: error.reason }, failure: error };
    }
}
/**
 * Posts the comment, or says why not. A lost answer is never retried (the client sends it once
 * unless Jira certainly did not take it): Jira may have posted it, and a retry would post it twice.
 */
async function sendComment(run, issueKey) {
    const comment = run.options.comment;
    if (!comment)
        return undefined;
    const change = { target: 'comment', origin: run.words.input('comment'), action: 'comment', outcome: 'dry-run' };
    if (!comment.post)
        return { change: { ...change, outcome: 'skipped', reason: comment.reason } };
    const posted = { ...change, value: comment.body };
    const check = `the comment may have been posted; check ${issueKey} before posting it again`;
    try {
        const status = await write(run, commentRequest(issueKey, comment.body));
        return { change: { ...posted, outcome: status === undefined ? 'dry-run' : 'posted' } };
    }
    catch (thrown) {
        if (thrown instanceof Stopped)
            return { change: thrown.mayHaveArrived ? { ...posted, outcome: 'failed', reason: check } : undefined, failure: thrown };
        const cause = asJiraError(thrown, issueKey);
        if (!cause.details.mayHaveArrived)
            return { change: { ...posted, outcome: 'failed', reason: cause.reason }, failure: cause };
        const error = new JiraError(cause.kind, `${cause.reason} The comment may have been posted; check ${issueKey}.`, cause.remedy, cause.details);
        return { change: { ...posted, outcome: 'failed', reason: check }, failure: error };
    }
}
/** Sends a write and returns Jira's status, or prints it in a dry run and returns undefined. */
async function write(run, request) {
    if (run.options.dryRun) {
        run.deps.log.info(describeWrite(run.client, request));
        return undefined;
    }
    const status = await sendWrite(run.client, request);
    run.answered?.();
    return status;
}
/** The remote link and the comment are not sent after an earlier write of the issue failed. */
function skipRest(run, done, reason) {
    const { options, words } = run;
    if (options.remoteLink)
        done.push({ target: 'remote link', origin: words.input('remote-link'), action: 'link', value: options.remoteLink.title, outcome: 'skipped', reason });
    if (options.comment)
        done.push({
            target: 'comment',
            origin: words.input('comment'),
            action: 'comment',
            value: options.comment.post ? options.comment.body : undefined,
            outcome: 'skipped',
            reason: options.comment.post ? reason : options.comment.reason
        });
}
/** An issue with a change Jira would refuse: nothing is written to it, and each refusal is named with its line. */
function refused(run, issueKey, refusals, done) {
    const reason = `nothing is written to ${issueKey} while ${refusals[0].change.origin} is refused`;
    const results = run.changes.map((change) => {
        const refusal = refusals.find(r => r.change === change);
        const base = { target: change.target, origin: change.origin, action: change.operation, value: change.value };
        if (refusal)
            return { ...base, outcome: 'failed', reason: `${refusal.reason} ${refusal.remedy}` };
        // What the issue already holds stays so; the rest is not sent.
        return done.find(result => result.origin === change.origin) ?? { ...base, outcome: 'skipped', reason };
    });
    for (const [id, value] of Object.entries(run.options.fields ?? {}))
        results.push({ target: id, origin: run.words.input('fields'), action: 'set', value: displayValue(value), outcome: 'skipped', reason });
    done.splice(0, done.length, ...results);
    skipRest(run, done, reason);
    const error = new JiraError('invalid', `Nothing was written to ${issueKey}: ${refusals.map(r => `${r.change.origin}: ${r.reason}`).join(' ')}`, refusals.map(r => r.remedy).join(' '), { issueKey });
    return { issueKey, outcome: 'invalid', changes: done, error };
}
/**
 * What one field change sends on this issue: the value to set or the items to add or remove,
 * nothing (`send` undefined) when the field already holds it, or why Jira would refuse it.
 */
async function planFieldChange(run, issueKey, issue, change) {
    const screen = issue.editmeta?.fields;
    const meta = screen && Object.hasOwn(screen, change.id) ? screen[change.id] : undefined;
    const refuse = (reason, remedy) => ({ change, reason, remedy });
    if (!meta || typeof meta !== 'object') {
        return refuse(`Field ${change.target} is not on the edit screen of ${issueKey}.`, "Check the field, and that it is on the edit screen of the issue's type (Project settings → Screens).");
    }
    const verb = change.operation === 'add' ? '+=' : '-=';
    if (change.operation !== 'set') {
        if (meta.schema?.type !== 'array') {
            return refuse(`${verb} adds or removes one item of a list field (labels, versions, components, multi-selects), but ${change.target} holds a single value.`, `Write ${change.field.trim()} = value to set it.`);
        }
        const operations = meta.operations;
        if (Array.isArray(operations) && !operations.includes(change.operation)) {
            return refuse(`Jira does not allow ${change.operation} on ${change.target} (it allows ${operations.join(', ')}).`, `Write ${change.field.trim()} = value to set it.`);
        }
    }
    let value;
    try {
        run.deps.log.debug(`${issueKey}: ${change.target} is a field of type ${update_schemaOf(meta)}.`);
        value = formatValue(change.id, meta, change.value, run.deps.now, run.client.redactor);
        if (isUserField(meta))
            value = await cloudUsers(run, value, run.client.redactor.excerpt(`${change.id}${meta.name ? ` (${meta.name})` : ''}`, 100), issueKey);
    }
    catch (thrown) {
        if (!(thrown instanceof JiraError) || thrown.kind !== 'invalid')
            throw thrown;
        return refuse(thrown.reason, thrown.remedy);
    }
    const current = issue.fields?.[change.id];
    const shown = displayValue(value);
    if (change.operation === 'set')
        return holdsValue(current, value) ? { shown } : { send: value, shown };
    const items = Array.isArray(value) ? value : [value];
    const present = (item) => Array.isArray(current) && current.some(existing => holdsValue(existing, item));
    const send = items.filter(item => (change.operation === 'add' ? !present(item) : present(item)));
    return send.length === 0 ? { shown } : { send, shown };
}
/** The whole link as Jira takes it: an update clears what it leaves out. */
function remoteLinkOf(link) {
    const { application, statusIcon, status } = link;
    return {
        globalId: link.globalId,
        application: { type: 'jira-build-result', name: application.name },
        relationship: 'build',
        object: {
            url: link.url,
            title: link.title,
            ...(application.icon ? { icon: { url16x16: application.icon, title: application.name } } : {}),
            status: { resolved: false, ...(statusIcon ? { icon: { url16x16: statusIcon, title: status ?? '' } } : {}) }
        }
    };
}
/** A field's type as its edit metadata gives it: `option (…:select)`, `array of string`. */
function update_schemaOf(meta) {
    const { type = 'unknown', items, custom, system } = meta.schema ?? {};
    const kind = custom ?? system;
    return `${type}${items ? ` of ${items}` : ''}${kind ? ` (${kind})` : ''}`;
}
function isUserField(meta) {
    const kind = meta.schema?.custom?.split(':').pop();
    return kind === 'userpicker' || kind === 'multiuserpicker' || meta.schema?.type === 'user' || (meta.schema?.type === 'array' && meta.schema.items === 'user');
}
/** On Jira Cloud, user pickers take accountIds: `{"name": …}` becomes `{"accountId": …}`. */
async function cloudUsers(run, value, label, issueKey) {
    run.deployment ??= deploymentOf(run.client);
    if ((await run.deployment) !== 'Cloud')
        return value;
    const one = async (user) => {
        const name = user?.name;
        return typeof name === 'string' ? { accountId: await resolveAccountId(run.client, name, label, issueKey) } : user;
    };
    return Array.isArray(value) ? Promise.all(value.map(one)) : one(value);
}
/** Maps items through an async function, at most `limit` at a time, keeping their order. */
async function mapLimit(items, limit, fn) {
    const results = new Array(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const index = next++;
            results[index] = await fn(items[index], index);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return results;
}

;// CONCATENATED MODULE: ./src/main.ts














/** Issues named one annotation each at most; the rest are grouped, under GitHub's 10 per step. */
const ANNOTATED_ISSUES = 4;
/**
 * Reads the inputs, masks the secrets among them at once (and has the sink cut them out of
 * everything it prints from now on), and returns them raw.
 */
function readInputs(sink) {
    const raw = {};
    const secrets = [];
    for (const name of INPUT_NAMES) {
        // Keys and tokens keep their inner whitespace; the parser trims what it must.
        const value = getInput(name, { trimWhitespace: !SECRET_INPUTS.has(name) });
        if (SECRET_INPUTS.has(name)) {
            for (const fragment of secretFragments(value))
                sink.mask(fragment);
            secrets.push(value);
        }
        raw[name] = value;
    }
    sink.protect(new redact_Redactor(secrets));
    return raw;
}
/** Values for {run_url} and the other templates, from the runner's environment. */
function templateValues(env) {
    const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = env;
    return {
        run_url: server && repository && runId ? `${server}/${repository}/actions/runs/${runId}` : undefined,
        run_number: env.GITHUB_RUN_NUMBER,
        sha: env.GITHUB_SHA,
        ref: env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME,
        workflow: env.GITHUB_WORKFLOW,
        repository
    };
}
/**
 * The pull request title, head branch and commit messages of the event. @actions/github is
 * loaded only here, when keys must be found: it is the largest part of the bundle to load.
 */
async function eventTexts() {
    const { context } = await Promise.all(/* import() */[__nccwpck_require__.e(413), __nccwpck_require__.e(264)]).then(__nccwpck_require__.bind(__nccwpck_require__, 413));
    // The payload is the event's JSON as GitHub sent it: each field is checked before use.
    const payload = context.payload;
    const texts = [];
    const title = payload.pull_request?.title;
    if (typeof title === 'string')
        texts.push({ source: 'pr-title', text: title });
    // github.head_ref, not github.ref: on pull_request events ref is refs/pull/N/merge.
    const headRef = typeof payload.pull_request?.head?.ref === 'string' ? payload.pull_request.head.ref : process.env.GITHUB_HEAD_REF;
    const ref = typeof context.ref === 'string' ? context.ref : undefined;
    const branch = headRef || (ref?.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined);
    if (branch)
        texts.push({ source: 'branch', text: branch });
    const commits = Array.isArray(payload.commits) ? payload.commits : [];
    for (const commit of commits)
        if (commit.message)
            texts.push({ source: 'commits', text: commit.message });
    const headCommit = payload.head_commit;
    if (headCommit?.message)
        texts.push({ source: 'commits', text: headCommit.message });
    return { texts, eventName: typeof context.eventName === 'string' ? context.eventName : undefined };
}
/** Events whose pull request texts anyone who opens a pull request writes, and which run with the base's secrets. */
const OUTSIDER_EVENTS = new Set(['pull_request_target']);
/**
 * The action: read inputs, update the issues, write outputs, summary and annotations. Whatever
 * goes wrong, the step ends with a result output and a message, never a bare stack trace.
 */
async function run(cancel = (0,src_cancel/* cancelOnSignals */.d)()) {
    // Everything the action prints goes through the sink, and so through the boundary.
    const { /* debug */ "Yz": debug, /* info */ "pq": info, /* warning */ "$e": warning, /* error */ "z3": error, /* setFailed */ "C1": setFailed, /* setOutput */ "uH": setOutput, /* setSecret */ "Pq": setSecret, /* summary */ "z": summary } = core_namespaceObject;
    const sink = actionSink({ debug, info, warning, error, setFailed, setOutput, setSecret, summary }, { summaryFile: process.env.GITHUB_STEP_SUMMARY });
    try {
        await runAction(cancel.signal, sink);
    }
    catch (thrown) {
        setOutputs(sink, { result: 'error' });
        sink.fail(`Unexpected failure: ${messageOf(thrown)}`);
    }
    finally {
        // A signal from here on ends the process as Node would: the outcome is written.
        cancel.release();
    }
}
/**
 * Writes outputs to GITHUB_OUTPUT. When that file cannot be written (a path that does not
 * exist, a full disk) @actions/core throws; that becomes an error annotation and a failed step,
 * not a stack trace, and the caller goes on to the summary and the annotations.
 */
function setOutputs(sink, outputs) {
    try {
        for (const [name, value] of Object.entries(outputs))
            sink.output(name, value);
    }
    catch (thrown) {
        sink.log.error(`The step's outputs could not be written (${messageOf(thrown)}), so later steps do not see ${Object.keys(outputs).join(', ')}. This log and the job summary have the outcome.`, 'Outputs not written');
        process.exitCode = 1;
    }
}
async function runAction(signal, sink) {
    let options;
    try {
        const raw = readInputs(sink);
        const needsEvent = (raw.issue ?? '') === '' && (raw.jql ?? '') === '';
        const event = needsEvent ? await eventTexts() : { texts: [] };
        const context = {
            sourceTexts: event.texts,
            templateValues: templateValues(process.env),
            outsiderEvent: event.eventName !== undefined && OUTSIDER_EVENTS.has(event.eventName) ? event.eventName : undefined,
            ci: githubRun(process.env)
        };
        options = parseUpdateOptions(raw, undefined, context);
    }
    catch (thrown) {
        // No credential at all (a fork's or Dependabot's pull request): nothing is sent, and the run
        // ends like any other, so fail-on-error decides the step.
        if (thrown instanceof NoCredentialsError)
            return finish(noCredentialsRun(thrown.message), thrown, sink);
        setOutputs(sink, { result: thrown instanceof InputError ? 'invalid' : 'error' });
        if (thrown instanceof InputError) {
            for (const problem of thrown.problems)
                sink.log.error(problem.message, `Invalid ${problem.input}`);
            sink.fail(`Nothing was sent to Jira: ${thrown.problems.length} input problem(s).`);
        }
        else {
            sink.fail(messageOf(thrown));
        }
        return;
    }
    const redactor = redactorFor(options.auth);
    sink.protect(redactor);
    // The forms an echo can carry that the runner can mask by exact value (percent-encoded in
    // either case, base64, base64 of user:api-token) are masked too.
    for (const form of redactor.maskable)
        sink.mask(form);
    const { log } = sink;
    for (const warning of [...options.warnings, ...environmentWarnings(process.env, ACTION_WORDS.input('ca-certificate'))])
        log.warning(warning);
    const transport = transportFor(options, process.env);
    let report;
    try {
        // Access tokens issued during the run are masked the moment they arrive.
        report = await updateIssues(options, { transport, log, redactor, words: ACTION_WORDS, signal, mask: form => sink.mask(form) });
    }
    finally {
        transport.close();
    }
    await finish(report, options, sink);
}
/**
 * Everything after the update: outputs first (they matter most to later steps), then the
 * summary and the annotations. A failure here never loses the outcome already reached.
 */
async function finish(report, options, sink) {
    setOutputs(sink, { updated: report.updated.join(','), unchanged: report.unchanged.join(','), failed: report.failed.join(','), result: report.result });
    try {
        await sink.summary(summaryMarkdown(report, options.jiraUrl, text => sink.clean(text)));
    }
    catch (thrown) {
        sink.log.warning(`The job summary could not be written (${messageOf(thrown)}); the outputs and this log have the outcome.`, 'Job summary not written');
    }
    annotate(report, options.failOnError, sink);
}
function annotate(report, failOnError, sink) {
    const { log } = sink;
    const say = (message, title) => (failOnError ? log.error(message, title) : log.warning(message, title));
    if (report.error)
        say(report.error.message, runErrorTitle(report.result));
    const failures = report.results.filter(result => !succeeded(result.outcome));
    const notAttempted = failures.filter(result => result.outcome === 'skipped' || result.outcome === 'cancelled');
    const attempted = failures.filter(result => !notAttempted.includes(result));
    for (const failure of attempted.slice(0, ANNOTATED_ISSUES))
        say(describeResult(failure), resultTitle(failure));
    const unnamed = attempted.slice(ANNOTATED_ISSUES);
    if (unnamed.length > 0)
        say(`${unnamed.length} more issue(s) failed: ${keysOf(unnamed)}. The job summary says why for each.`, `${unnamed.length} more Jira failures`);
    if (notAttempted.length > 0) {
        const why = notAttempted[0].outcome === 'cancelled'
            ? 'the run was cancelled'
            : 'an earlier request failed in a way every request would (more attempts could add to the failed-login count)';
        say(`${notAttempted.length} issue(s) not attempted because ${why}: ${keysOf(notAttempted)}.`, `Not attempted (${notAttempted.length} issues)`);
    }
    const verdict = verdictOf(report);
    if (!verdict.failed)
        return;
    // A cancelled run fails whatever fail-on-error says: it did not do what it was asked.
    if (failOnError || report.result === 'cancelled')
        sink.fail(verdict.headline);
    else
        log.warning(`${verdict.headline}. fail-on-error is false, so the step stays green.`);
}
function keysOf(results) {
    return results.map(result => result.issueKey).join(', ');
}


/***/ }),

/***/ 970:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Q: () => (/* binding */ runCancel)
/* harmony export */ });
/* harmony import */ var _cancel_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(833);
/**
 * The first import of both front ends (src/index.ts, src/cli.ts): importing it installs the
 * SIGINT and SIGTERM handlers, before any other module loads or any input is read. Until then
 * a signal ends the process at once, with no outputs, summary or outcome. Nothing else imports
 * it, so tests that load the core keep the default handling of signals.
 */

/** The run's cancel, caught from the start; the front end releases it when the outcome is written. */
const runCancel = (0,_cancel_js__WEBPACK_IMPORTED_MODULE_0__/* .cancelOnSignals */ .d)();


/***/ }),

/***/ 613:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("assert");

/***/ }),

/***/ 434:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");

/***/ }),

/***/ 896:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs");

/***/ }),

/***/ 611:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("http");

/***/ }),

/***/ 692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("https");

/***/ }),

/***/ 278:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("net");

/***/ }),

/***/ 857:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("os");

/***/ }),

/***/ 756:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tls");

/***/ }),

/***/ 23:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("util");

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId].call(module.exports, module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/******/ // expose the modules object (__webpack_modules__)
/******/ __nccwpck_require__.m = __webpack_modules__;
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/ensure chunk */
/******/ (() => {
/******/ 	__nccwpck_require__.f = {};
/******/ 	// This file contains only the entry chunk.
/******/ 	// The chunk loading function for additional chunks
/******/ 	__nccwpck_require__.e = (chunkId) => {
/******/ 		return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 			__nccwpck_require__.f[key](chunkId, promises);
/******/ 			return promises;
/******/ 		}, []));
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/get javascript chunk filename */
/******/ (() => {
/******/ 	// This function allow to reference async chunks
/******/ 	__nccwpck_require__.u = (chunkId) => {
/******/ 		// return url for filenames based on template
/******/ 		return "" + chunkId + ".index.js";
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/import chunk loading */
/******/ (() => {
/******/ 	// no baseURI
/******/ 	
/******/ 	// object to store loaded and loading chunks
/******/ 	// undefined = chunk not loaded, null = chunk preloaded/prefetched
/******/ 	// [resolve, Promise] = chunk loading, 0 = chunk loaded
/******/ 	var installedChunks = {
/******/ 		792: 0
/******/ 	};
/******/ 	
/******/ 	var installChunk = (data) => {
/******/ 		var {ids, modules, runtime} = data;
/******/ 		// add "modules" to the modules object,
/******/ 		// then flag all "ids" as loaded and fire callback
/******/ 		var moduleId, chunkId, i = 0;
/******/ 		for(moduleId in modules) {
/******/ 			if(__nccwpck_require__.o(modules, moduleId)) {
/******/ 				__nccwpck_require__.m[moduleId] = modules[moduleId];
/******/ 			}
/******/ 		}
/******/ 		if(runtime) runtime(__nccwpck_require__);
/******/ 		for(;i < ids.length; i++) {
/******/ 			chunkId = ids[i];
/******/ 			if(__nccwpck_require__.o(installedChunks, chunkId) && installedChunks[chunkId]) {
/******/ 				installedChunks[chunkId][0]();
/******/ 			}
/******/ 			installedChunks[ids[i]] = 0;
/******/ 		}
/******/ 	
/******/ 	}
/******/ 	
/******/ 	__nccwpck_require__.f.j = (chunkId, promises) => {
/******/ 			// import() chunk loading for javascript
/******/ 			var installedChunkData = __nccwpck_require__.o(installedChunks, chunkId) ? installedChunks[chunkId] : undefined;
/******/ 			if(installedChunkData !== 0) { // 0 means "already installed".
/******/ 	
/******/ 				// a Promise means "currently loading".
/******/ 				if(installedChunkData) {
/******/ 					promises.push(installedChunkData[1]);
/******/ 				} else {
/******/ 					if(true) { // all chunks have JS
/******/ 						// setup Promise in chunk cache
/******/ 						var promise = import("./" + __nccwpck_require__.u(chunkId)).then(installChunk, (e) => {
/******/ 							if(installedChunks[chunkId] !== 0) installedChunks[chunkId] = undefined;
/******/ 							throw e;
/******/ 						});
/******/ 						var promise = Promise.race([promise, new Promise((resolve) => (installedChunkData = installedChunks[chunkId] = [resolve]))])
/******/ 						promises.push(installedChunkData[1] = promise);
/******/ 					}
/******/ 				}
/******/ 			}
/******/ 	};
/******/ 	
/******/ 	// no prefetching
/******/ 	
/******/ 	// no preloaded
/******/ 	
/******/ 	// no external install chunk
/******/ 	
/******/ 	// no on chunks loaded
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(407);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 
