/**
 * The survey page's only script (progressive enhancement: the form works without it). It posts the rating as
 * JSON without a reload; if the network fails, the rating waits in localStorage and is re-sent with the same
 * submissionId when the connection returns, so the server counts it exactly once. After a bad rating it opens
 * the case's thank-you page (data-case; the submissionId finds a placard rating's case).
 */
export const SURVEY_SCRIPT =
  `(function(){
var f=document.getElementById('f');if(!f||!window.fetch||!window.JSON)return;
var D=f.dataset,M=JSON.parse(D.msgs),K='st_pending',msg=document.getElementById('msg'),delay=2000,timer=0;
var btn=document.querySelector('.send button'),rmsg=document.getElementById('rmsg');
function load(){try{return JSON.parse(localStorage.getItem(K)||'[]')}catch(e){return[]}}
function store(a){try{localStorage.setItem(K,JSON.stringify(a))}catch(e){}}
function drop(id){store(load().filter(function(x){return x.p.submissionId!==id}))}
function say(t){msg.textContent=t}
function group(g){return g<=2?'bad':g==3?'mid':'good'}
f.addEventListener('change',function(e){if(e.target.name==='overall')f.setAttribute('data-g',group(+e.target.value));
if(e.target.name==='reasons'&&rmsg)rmsg.textContent=''});
function val(n){var x=f.querySelector('[name="'+n+'"]:checked');return x?x.value:''}
function collect(){var g=+val('overall'),p={ticket:D.ticket,overall:g,lang:D.lang,submissionId:D.sub};
['attitude','efficiency','competence','trips'].forEach(function(n){var v=val(n);if(v)p[n]=+v});
var d=val('done');if(d)p.done=d;
f.querySelectorAll('[name^="x_"]:checked').forEach(function(x){(p.extra=p.extra||{})[x.name.slice(2)]=x.value});
var rs=[];f.querySelectorAll('.'+group(g)+' [name=reasons]:checked')` +
  `.forEach(function(x){if(rs.indexOf(x.value)<0)rs.push(x.value)});if(rs.length)p.reasons=rs;
var c=f.comment.value.trim();if(c)p.comment=c;
var ph=f.phone.value.replace(/\\s/g,'');if(g<=2&&ph)p.contact={phone:ph,consent:f.consent.checked};
return p}
function send(item,mine){return fetch('/api/v1/ratings',{method:'POST',credentials:'same-origin',` +
  `headers:{'content-type':'application/json'},body:JSON.stringify(item.p)}).then(function(r){
if(r.status>=500||r.status===408){throw 0}
if(r.ok){drop(item.p.submissionId);
if(mine)location.href=item.p.overall<=2?D.case+'&sub='+encodeURIComponent(item.p.submissionId):item.thanks;return}
drop(item.p.submissionId);if(!mine)return;
if(r.status===409){location.href=D.rated;return}
return r.json().then(function(b){say((b&&M[b.type])||(b&&b.detail)||M.error);btn.disabled=false},` +
  `function(){say(M.error);btn.disabled=false})})}
function retry(item){clearTimeout(timer);send(item,true).catch(function(){say(M.offline);` +
  `timer=setTimeout(function(){retry(item)},delay);delay=Math.min(delay*2,30000)})}
f.addEventListener('submit',function(e){e.preventDefault();var p=collect();
if(!p.overall){say(M.pickGrade);f.querySelector('[name=overall]').focus();return}
if(p.overall<=2&&!p.reasons){say('');rmsg.textContent=M.pickReason;f.querySelector('.bad input').focus();return}
if(p.contact&&(!/^1[3-9]\\d{9}$/.test(p.contact.phone)||!p.contact.consent)){say(M.badPhone);return}
if(p.contact)p.contact.consent=true;
var item={p:p,thanks:D.thanks};drop(p.submissionId);var a=load();a.push(item);store(a);
btn.disabled=true;say(M.sending);retry(item);
window.addEventListener('online',function(){delay=2000;retry(item)})});
load().forEach(function(item){if(item.p.submissionId!==D.sub)send(item,false).catch(function(){})});
})();`;
